#pragma once
// JSON Web Tokens signed with HMAC SHA-256 (RFC 7515 / RFC 7519), nothing else: a token whose
// header names another algorithm ("none", RS256, ...) is refused, never "verified".
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/expected.hpp"

namespace lms::jwt {

std::string base64UrlEncode(std::string_view bytes);
std::optional<std::string> base64UrlDecode(std::string_view text);

std::string signHs256(const nlohmann::json& claims, const std::string& key);

enum class Failure {
    Malformed,
    UnsupportedAlgorithm,
    BadSignature,
    Expired,
    NoExpiry,
    NotYetValid,
    WrongIssuer,
    WrongAudience
};
const char* describe(Failure f);

struct Checks {
    std::optional<std::int64_t> now;  // seconds since the epoch; without it exp/nbf are not checked
    std::string issuer;               // required `iss` when not empty
    std::string audience;             // required in `aud` when not empty
    std::int64_t leewaySeconds = 0;
    // A token without a numeric `exp` is refused (NoExpiry): one that never expires is never
    // signed by us, and must not be honoured if a key ever signed one.
    bool requireExpiry = false;
};

// The claims of a token with a valid HS256 signature under key that passes the checks.
expected<nlohmann::json, Failure> verifyHs256(std::string_view token, const std::string& key, const Checks& checks = {});

}  // namespace lms::jwt
