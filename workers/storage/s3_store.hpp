#pragma once
// Objects in an S3 bucket (AWS, or any S3-compatible server: MinIO, Ceph, R2, ...), over
// lms::outbound: HTTPS verifying the server's certificate against the system's CAs and its host name.
// Requests are signed with our own SigV4 (s3_request.hpp); links are presigned GET URLs.
#include <chrono>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "workers/storage/object_store.hpp"
#include "workers/storage/s3_request.hpp"
#include "workers/storage/sigv4.hpp"

namespace lms::storage {

class S3Store : public ObjectStore {
public:
    // Throws std::invalid_argument for a location checkLocation refuses. The clock dates each
    // request (S3 refuses one more than 15 minutes off its own clock); timeout bounds each
    // connection's reads and writes.
    S3Store(S3Location location, sigv4::Credentials credentials, const Clock& clock = Clock::system(),
            std::chrono::seconds timeout = std::chrono::seconds(30));

    // PutObject; anything but 200 throws StorageError with S3's status, Code and Message.
    void put(const std::string& key, std::string_view bytes, const std::string& contentType) override;
    // GetObject; 404 NoSuchKey is nothing, any other failure (NoSuchBucket included) throws.
    std::optional<std::string> get(const std::string& key) override;
    void remove(const std::string& key) override;
    // A presigned GET URL valid for ttl from nowUs (whole seconds).
    std::string link(const std::string& key, std::int64_t nowUs, std::chrono::seconds ttl) override;
    std::string describe() const override;

private:
    struct Answer {
        int status = 0;
        std::string body;
    };
    Answer send(const S3Request& request, std::string_view body, const std::string& what) const;
    [[noreturn]] void fail(const std::string& what, const Answer& answer) const;
    void checkKey(const std::string& key) const;

    S3Location location_;
    sigv4::Credentials credentials_;
    const Clock& clock_;
    std::chrono::seconds timeout_;
};

}  // namespace lms::storage
