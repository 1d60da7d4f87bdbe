#pragma once
// Argon2id password hashing through the reference implementation (libargon2), stored as PHC
// strings ($argon2id$v=19$m=...,t=...,p=...$salt$tag). Default cost: OWASP's recommendation
// (m = 19 MiB, t = 2, p = 1).
#include <cstdint>
#include <string>

namespace lms::password {

struct Cost {
    std::uint32_t timeCost = 2;
    std::uint32_t memoryKiB = 19 * 1024;
    std::uint32_t parallelism = 1;
};

// A PHC string of password under a fresh 16-byte random salt.
std::string hash(const std::string& password, const Cost& cost = {});
// True when password matches the PHC string (any Argon2 variant the string names); false on a
// mismatch or a malformed string. Constant-time in the tag comparison.
bool verify(const std::string& phc, const std::string& password);
// The cost a PHC string was made with is below `cost` (time to rehash at the next login).
bool needsRehash(const std::string& phc, const Cost& cost = {});

// The raw Argon2 tag (for the published test vectors, which use secrets and associated data).
enum class Variant { Argon2d, Argon2i, Argon2id };
std::string rawTag(Variant v, std::uint32_t version, std::uint32_t timeCost, std::uint32_t memoryKiB,
                   std::uint32_t parallelism, const std::string& password, const std::string& salt,
                   const std::string& secret, const std::string& associatedData, std::size_t tagLength);
// Encoded PHC string for a given salt (test vectors); throws on bad parameters.
std::string encodeWithSalt(Variant v, std::uint32_t version, std::uint32_t timeCost, std::uint32_t memoryKiB,
                           std::uint32_t parallelism, const std::string& password, const std::string& salt,
                           std::size_t tagLength);

}  // namespace lms::password
