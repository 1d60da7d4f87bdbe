#pragma once
#include <cstdint>
#include <string>

namespace lms {

// A UUIDv7 string (RFC 9562): time-ordered, so that new ids land at the right edge of a B-tree
// index instead of all over it. Randomness from OpenSSL's CSPRNG.
std::string newUuid();

// True for the canonical 8-4-4-4-12 lowercase or uppercase hexadecimal form.
bool isUuid(const std::string& s);

}  // namespace lms
