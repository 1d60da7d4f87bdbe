#pragma once
// The sockets under the HTTP server (docs/decisions/0010-http-server.md): Asio I/O threads read
// and write every connection without blocking, each connection on a strand of its own, with a
// deadline for every phase that bytes trickling in cannot move; handlers run on a worker pool
// fed by a bounded queue. What happens to a request is http::Pipeline's; this file only moves
// bytes, and it is the only one that includes Asio.
#include <memory>
#include <string>

#include "api/http/pipeline.hpp"
#include "api/http/reader.hpp"

namespace lms::api {

struct TransportSettings {
    std::string host = "127.0.0.1";
    int port = 8080;      // 0: any free port
    int ioThreads = 0;    // 0: the number of cores, at most 8
    int workers = 16;     // handler threads
    int maxQueued = 256;  // requests read and waiting for a worker; more are 503
    int maxConnections = 4096;
    int keepAliveTimeoutMs = 10000;  // no byte of a next request
    int headerTimeoutMs = 10000;     // first byte to the end of the head
    int bodyTimeoutMs = 30000;       // end of the head to the end of the body
    int writeTimeoutMs = 30000;
    int shutdownGraceMs = 10000;  // stop(): in-flight requests finish within this
    http::RequestReader::Limits limits;
};

class Transport {
public:
    // Binds the listening socket (so port() is known and a taken port fails here); serves from start().
    Transport(TransportSettings settings, std::shared_ptr<const http::Pipeline> pipeline);
    ~Transport();
    Transport(const Transport&) = delete;
    Transport& operator=(const Transport&) = delete;
    void start();
    // Stops accepting, closes idle connections, lets in-flight requests finish (within the grace),
    // then stops the threads. Idempotent.
    void stop();
    int port() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace lms::api
