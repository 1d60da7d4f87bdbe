#pragma once
// AES-256-GCM with a random 96-bit nonce and a 128-bit tag: personal fields sealed under a
// subject's data key (eventstore/personal_data.hpp) and data keys wrapped under a master key
// (eventstore/master_keys.hpp).
#include <optional>
#include <string>
#include <string_view>

namespace lms::aead {

inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kNonceBytes = 12;
inline constexpr std::size_t kTagBytes = 16;

// nonce ‖ ciphertext ‖ tag of plaintext under key (32 bytes), bound to associated data: it
// opens only with the same associated data. Throws std::runtime_error when OpenSSL fails.
std::string seal(std::string_view key, std::string_view associated, std::string_view plaintext);
// The plaintext, or nothing when sealed was not made by seal() with this key and associated
// data (or a byte of it was changed).
std::optional<std::string> open(std::string_view key, std::string_view associated, std::string_view sealed);

}  // namespace lms::aead
