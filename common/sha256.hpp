#pragma once
#include <string>
#include <string_view>

namespace lms {

// Raw 32-byte SHA-256 digest of data.
std::string sha256(std::string_view data);
std::string toHex(std::string_view bytes);

}  // namespace lms
