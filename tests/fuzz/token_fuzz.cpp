// libFuzzer target: whatever arrives as a bearer token must be refused or accepted without a
// crash, a hang or undefined behaviour; and a token accepted must carry a valid signature.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/jwt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string input(reinterpret_cast<const char*>(data), size);
    static const std::string key(32, 'k');
    const auto r = lms::jwt::verifyHs256(input, key, {1700000000, "lms", "lms-api", 0});
    if (r.has_value()) {
        // Only a token we signed can pass: re-signing its claims must give a verifiable token too.
        const auto again = lms::jwt::verifyHs256(lms::jwt::signHs256(*r, key), key, {1700000000, "lms", "lms-api", 0});
        if (!again.has_value()) __builtin_trap();
    }
    const auto decoded = lms::jwt::base64UrlDecode(input);
    if (decoded && lms::jwt::base64UrlEncode(*decoded) != input) __builtin_trap();  // canonical round trip
    return 0;
}
