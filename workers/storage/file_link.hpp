#pragma once
// The links FolderStore hands out, and their check, as pure functions (no clock, no I/O):
//   <LMS_PUBLIC_URL>/files/<key, URI-encoded>?expires=<unix seconds>&signature=<hex>
// where signature = hex(HMAC-SHA-256(fileLinkKey(server secret), "lms file link\n" expires "\n" key)).
// Whoever holds the link can fetch the file until `expires`, nobody can make one for another key
// or a later time without the server's secret. The API's GET /files/... route calls
// verifyFileLink (workers/storage/README.md says how).
#include <cstdint>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace lms::storage {

// The key for this one purpose, derived from the server's secret (common/sha256.hpp's deriveKey):
// nothing else signed with that secret passes for a file link, nor a file link for anything else.
std::string fileLinkKey(std::string_view serverSecret);

// The path and query of a link ("/files/certificates/a%20b.pdf?expires=...&signature=..."), to
// put after the public URL. Throws std::invalid_argument for a key that validKey refuses.
std::string fileLinkTarget(std::string_view linkKey, std::string_view key, std::int64_t expiresUnixSeconds);

enum class FileLinkRefusal {
    Malformed,     // not /files/<valid key>?expires=<decimal>&signature=<64 hex>: a link we never made
    BadSignature,  // well-formed, but not signed by us for this key and this expiry (tampered)
    Expired,       // ours, but nowSeconds is past its expiry
};

// Checks a request for a file: target is the request target as the server received it (path and
// query, still percent-encoded), starting with /files/. Gives the object's key (decoded) when the
// link is ours and unexpired. The signature is compared in constant time, and checked before the
// expiry, so that Expired is said only of a link we made. Other query parameters are ignored.
[[nodiscard]] expected<std::string, FileLinkRefusal> verifyFileLink(std::string_view linkKey, std::string_view target,
                                                                    std::int64_t nowSeconds);

}  // namespace lms::storage
