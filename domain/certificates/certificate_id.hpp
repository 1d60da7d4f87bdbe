#pragma once
// Certificate ids: short, unguessable, easy to read aloud and to type from paper.
//
// LMS-XXXX-XXXX-XXXX: eleven characters of Crockford's base32 (0-9 and A-Z without I, L, O, U:
// nothing that reads as another) carrying 55 random bits, then one check character (Luhn mod 32
// over the eleven), which catches every single mistyped character and all but one pair of
// swapped neighbours (as Luhn's 09/90). Read back case-insensitively, with or without the dashes and the prefix, with
// O read as 0 and I or L as 1 (what people type for them).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lms::domain::certificates {

inline constexpr std::string_view kIdAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
inline constexpr std::size_t kIdRandomBytes = 7;  // 56 bits drawn, 55 used

// The id for these random bytes (the caller draws them: the core has no randomness).
std::string certificateIdFrom(const std::array<std::uint8_t, kIdRandomBytes>& random);

// The id as it is stored (LMS-XXXX-XXXX-XXXX), or nothing when the text is not one (a wrong
// length, a character outside the alphabet, a check character that does not match).
std::optional<std::string> parseCertificateId(std::string_view text);

// The check character of the eleven data characters (Luhn mod 32).
char checkCharacter(std::string_view data);

}  // namespace lms::domain::certificates
