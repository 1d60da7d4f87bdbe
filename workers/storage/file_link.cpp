#include "workers/storage/file_link.hpp"

#include <charconv>
#include <optional>
#include <stdexcept>

#include "common/secure.hpp"
#include "common/sha256.hpp"
#include "workers/storage/object_store.hpp"
#include "workers/storage/sigv4.hpp"

namespace lms::storage {
namespace {

constexpr std::string_view kPrefix = "/files/";

std::string signature(std::string_view linkKey, std::string_view key, std::string_view expires) {
    std::string message = "lms file link\n";
    message += expires;
    message += '\n';
    message += key;
    return toHex(hmacSha256(linkKey, message));
}

// %XY decoded; a '%' not followed by two hex digits is malformed. '+' stays '+' (a path, not a form).
std::optional<std::string> percentDecode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out.push_back(s[i]);
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        const auto byte = fromHex(s.substr(i + 1, 2));
        if (!byte) return std::nullopt;
        out += *byte;
        i += 2;
    }
    return out;
}

}  // namespace

std::string fileLinkKey(std::string_view serverSecret) { return deriveKey(serverSecret, "file-link"); }

std::string fileLinkTarget(std::string_view linkKey, std::string_view key, std::int64_t expiresUnixSeconds) {
    if (!validKey(key)) throw std::invalid_argument("file link: invalid object key '" + std::string(key) + "'");
    const auto expires = std::to_string(expiresUnixSeconds);
    return std::string(kPrefix) + sigv4::uriEncode(key, true) + "?expires=" + expires +
           "&signature=" + signature(linkKey, key, expires);
}

expected<std::string, FileLinkRefusal> verifyFileLink(std::string_view linkKey, std::string_view target,
                                                      std::int64_t nowSeconds) {
    const auto malformed = unexpected(FileLinkRefusal::Malformed);
    if (target.substr(0, kPrefix.size()) != kPrefix) return malformed;
    const auto mark = target.find('?');
    if (mark == std::string_view::npos) return malformed;
    const auto key = percentDecode(target.substr(kPrefix.size(), mark - kPrefix.size()));
    if (!key || !validKey(*key)) return malformed;

    std::optional<std::string_view> expires;
    std::optional<std::string_view> given;
    auto query = target.substr(mark + 1);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const auto eq = item.find('=');
        const auto name = item.substr(0, eq);
        const auto value = eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
        auto* slot = name == "expires" ? &expires : name == "signature" ? &given : nullptr;
        if (slot == nullptr) continue;
        if (slot->has_value()) return malformed;  // twice: which one would the server believe?
        *slot = value;
    }
    if (!expires || !given) return malformed;
    std::int64_t expiresAt = 0;
    const auto [p, ec] = std::from_chars(expires->data(), expires->data() + expires->size(), expiresAt);
    if (ec != std::errc() || p != expires->data() + expires->size() || expires->empty() || expires->front() == '-' ||
        expires->front() == '+') {
        return malformed;
    }
    if (given->size() != 64 || given->find_first_not_of("0123456789abcdef") != std::string_view::npos) return malformed;
    if (!constantTimeEquals(*given, signature(linkKey, *key, *expires)))
        return unexpected(FileLinkRefusal::BadSignature);
    if (nowSeconds > expiresAt) return unexpected(FileLinkRefusal::Expired);
    return *key;
}

}  // namespace lms::storage
