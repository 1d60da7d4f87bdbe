#pragma once
// Randomness and comparisons for secrets: OpenSSL's CSPRNG, and a comparison whose time does
// not depend on where two secrets differ.
#include <cstddef>
#include <string>
#include <string_view>

namespace lms {

// n bytes from OpenSSL's CSPRNG; throws std::runtime_error when it cannot deliver.
std::string randomBytes(std::size_t n);
// 256 random bits as base64url without padding (43 characters): refresh tokens, dummy passwords.
std::string randomToken();
// True when a and b are the same bytes, in time that depends only on their lengths
// (CRYPTO_memcmp): for tokens, MACs and CSRF proofs.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace lms
