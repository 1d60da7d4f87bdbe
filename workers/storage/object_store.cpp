#include "workers/storage/object_store.hpp"

#include <filesystem>

#include "workers/storage/file_link.hpp"
#include "workers/storage/folder_store.hpp"
#include "workers/storage/s3_store.hpp"

namespace lms::storage {
namespace {

constexpr std::size_t kMaxKeyBytes = 512;

// Well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
bool utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t extra = 0;
        std::uint32_t point = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            extra = 1;
            point = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            extra = 2;
            point = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            extra = 3;
            point = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= s.size()) return false;  // cut short
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto next = static_cast<unsigned char>(s[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            point = (point << 6) | (next & 0x3F);
        }
        if ((extra == 2 && point < 0x800) || (extra == 3 && (point < 0x10000 || point > 0x10FFFF)) ||
            (point >= 0xD800 && point <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

}  // namespace

bool validKey(std::string_view key) {
    if (key.empty() || key.size() > kMaxKeyBytes || !utf8(key)) return false;
    std::size_t start = 0;
    while (start <= key.size()) {
        auto end = key.find('/', start);
        if (end == std::string_view::npos) end = key.size();
        const auto segment = key.substr(start, end - start);
        // Empty (a leading, trailing or doubled '/'), ".", ".." and hidden names: none of them.
        if (segment.empty() || segment.front() == '.') return false;
        start = end + 1;
    }
    for (const char ch : key) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F || c == '\\') return false;
    }
    return true;
}

std::unique_ptr<ObjectStore> makeObjectStore(const Config& config, std::string_view serverSecret, const Clock& clock) {
    if (config.s3Endpoint.empty() && config.s3Bucket.empty()) {
        return std::make_unique<FolderStore>(std::filesystem::path(config.dataDir) / "objects", config.publicUrl,
                                             fileLinkKey(serverSecret));
    }
    S3Location location{config.s3Endpoint, config.s3Region, config.s3Bucket, config.s3PathStyle};
    try {
        return std::make_unique<S3Store>(
            std::move(location),
            sigv4::Credentials{config.s3AccessKeyId, config.s3SecretAccessKey, config.s3SessionToken}, clock);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(std::string("LMS_S3_ENDPOINT/LMS_S3_BUCKET/LMS_S3_REGION: ") + e.what());
    }
}

}  // namespace lms::storage
