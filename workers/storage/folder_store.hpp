#pragma once
// Objects as files under a folder (<LMS_DATA_DIR>/objects/ by default): the store of a single
// machine, when no S3 bucket is configured. Each file is written under a temporary name, flushed
// and renamed, so a reader sees the old object or the new one, never half of one. Links go through
// the API (GET /files/<key>?expires=...&signature=..., file_link.hpp), which checks them with
// verifyFileLink and serves the bytes that read() gives.
#include <filesystem>
#include <optional>
#include <string>

#include "workers/storage/object_store.hpp"

namespace lms::storage {

struct StoredObject {
    std::string bytes;
    std::string contentType;
};

class FolderStore : public ObjectStore {
public:
    // publicUrl: LMS_PUBLIC_URL, without a trailing '/'; linkKey: fileLinkKey(server secret).
    FolderStore(std::filesystem::path folder, std::string publicUrl, std::string linkKey);

    void put(const std::string& key, std::string_view bytes, const std::string& contentType) override;
    std::optional<std::string> get(const std::string& key) override;
    void remove(const std::string& key) override;
    // "<publicUrl>/files/<key>?expires=<now + ttl, unix seconds>&signature=<hex>".
    std::string link(const std::string& key, std::int64_t nowUs, std::chrono::seconds ttl) override;
    std::string describe() const override;

    // The bytes and the content type given to put: what the API's file route serves.
    std::optional<StoredObject> read(const std::string& key) const;

private:
    std::filesystem::path pathOf(const std::string& key) const;

    std::filesystem::path folder_;
    std::string publicUrl_;
    std::string linkKey_;
};

}  // namespace lms::storage
