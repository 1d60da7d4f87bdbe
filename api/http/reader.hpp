#pragma once
// Reads one HTTP/1.1 request from bytes as they arrive: Boost.Beast's parser (strict on most of
// RFC 9112) and then the rules of wire.hpp on the parsed head. No sockets: the transport feeds it
// what it reads, the fuzzer feeds it anything. docs/decisions/0010-http-server.md.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/http/wire.hpp"

namespace lms::http {

class RequestReader {
public:
    struct Limits {
        std::size_t maxHeaderBytes = 16384;  // request line and header fields
        std::size_t maxFields = 64;
        std::size_t maxBodyBytes = 65536;  // Content-Length or the chunks' sum
    };
    enum class State {
        Start,      // nothing of this request yet
        Partial,    // some bytes, more needed
        HeadReady,  // the head is in and passed the rules: decide, then readBody() or answer
        Complete,   // head and body are in
        Failed,     // refused: answer failure() and close
    };

    explicit RequestReader(Limits limits);
    ~RequestReader();
    RequestReader(const RequestReader&) = delete;
    RequestReader& operator=(const RequestReader&) = delete;

    // Forgets the request (keeping the limits) for the next one on the connection.
    void reset();
    // Parses what it can of `data` and returns how many bytes it used; the rest belongs to what
    // comes next (more of this request, or a pipelined one once this one is Complete).
    std::size_t feed(std::string_view data);
    // After HeadReady: go on reading the body (feed the rest of the buffer again).
    void readBody();

    State state() const { return state_; }
    const Head& head() const { return head_; }  // from HeadReady on
    const Refusal& failure() const { return failure_; }
    // From HeadReady on: whether a body was announced (a non-zero Content-Length, or chunked),
    // whether the client waits for 100 Continue, and whether the connection may stay open after.
    bool bodyAnnounced() const;
    bool expectsContinue() const;
    bool keepAlive() const;
    // The body, once Complete (moved out).
    std::string takeBody();

private:
    void fail(int status, std::string reason);
    struct Parser;
    Limits limits_;
    std::unique_ptr<Parser> parser_;
    State state_ = State::Start;
    Head head_;
    Refusal failure_;
};

}  // namespace lms::http
