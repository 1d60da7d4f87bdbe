#pragma once
// Where stored files (certificate PDFs) live, and the links that hand them out: an S3 bucket
// (S3Store) or a folder under the data directory (FolderStore), chosen by configuration.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/config.hpp"

namespace lms::storage {

// Broken infrastructure: the server unreachable, refusing our credentials, answering 5xx, a disk
// that cannot be written. The message names the store, the key and what was said (S3's error
// Code included).
class StorageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What a key may be, the same for both stores: 1 to 512 bytes of UTF-8 text, '/'-separated
// segments that are neither empty, "." nor "..", no leading or trailing '/', no control
// character and no '\'. Spaces and non-ASCII letters are fine ("certificates/Zoë Ādams.pdf").
// A key is made by our code, not typed by a user, so an invalid one is a bug: the stores throw
// std::invalid_argument for it.
[[nodiscard]] bool validKey(std::string_view key);

class ObjectStore {
public:
    virtual ~ObjectStore() = default;
    // Stores the bytes under key, replacing what was there; when it returns, the object is
    // durable (S3 answered 200; the file is fsync'd and renamed). Throws StorageError.
    virtual void put(const std::string& key, std::string_view bytes, const std::string& contentType) = 0;
    // The object's bytes, or nothing when there is no such object. Throws StorageError.
    virtual std::optional<std::string> get(const std::string& key) = 0;
    // Deletes the object; nothing to delete is no error (a retry after a crash deletes nothing).
    // When it returns, the object is gone for good. Throws StorageError.
    virtual void remove(const std::string& key) = 0;
    // A URL that fetches the object without any other credential until nowUs + ttl, and is refused
    // after. Pure: no request is made, the object need not exist yet. ttl is 1 s to 7 days (S3's
    // limit for presigned URLs; std::invalid_argument otherwise).
    virtual std::string link(const std::string& key, std::int64_t nowUs, std::chrono::seconds ttl) = 0;
    // For the log: "s3 http://127.0.0.1:9000/certs (path-style)" or "folder .lms/objects".
    virtual std::string describe() const = 0;
};

// S3Store when LMS_S3_ENDPOINT or LMS_S3_BUCKET is set, FolderStore under
// <LMS_DATA_DIR>/objects otherwise, whose links are signed with a key derived from serverSecret
// (common/secrets.hpp's serverSecret(config)). The clock dates S3 requests.
std::unique_ptr<ObjectStore> makeObjectStore(const Config& config, std::string_view serverSecret,
                                             const Clock& clock = Clock::system());

}  // namespace lms::storage
