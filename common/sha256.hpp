#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace lms {

// Raw 32-byte SHA-256 digest of data.
std::string sha256(std::string_view data);
std::string toHex(std::string_view bytes);
// The bytes of lower- or upper-case hex; nothing when hex has an odd length or a non-hex character.
std::optional<std::string> fromHex(std::string_view hex);
// Hex SHA-256: what stores keep of a token (refresh, reset) instead of the token.
std::string sha256Hex(std::string_view data);
// Raw 32-byte HMAC-SHA-256 of data under key.
std::string hmacSha256(std::string_view key, std::string_view data);
// A key for one purpose alone, derived from the server's secret: HMAC-SHA-256(secret,
// "lms derived key" "\n" purpose). What one purpose's key signs says nothing about another's,
// and nothing is keyed with the secret itself but the access tokens it signs.
std::string deriveKey(std::string_view secret, std::string_view purpose);
// A secret token derived from the server's secret for one purpose and one id:
// base64url(HMAC-SHA-256(deriveKey(secret, purpose), id)). Whoever holds the secret can derive it
// again (the mailer derives the password-reset token it mails), nobody else can; stores keep only
// its sha256.
std::string deriveToken(std::string_view secret, std::string_view purpose, std::string_view id);

}  // namespace lms
