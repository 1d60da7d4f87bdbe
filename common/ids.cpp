#include "common/ids.hpp"

#include <chrono>
#include <stdexcept>

#include "common/secure.hpp"
#include "common/sha256.hpp"

namespace lms {

std::string newUuid() {
    std::string b = randomBytes(16);
    // The time in milliseconds first, so that new ids sort after older ones (RFC 9562 UUIDv7).
    const auto ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
    for (std::size_t i = 0; i < 6; ++i) b[i] = static_cast<char>(ms >> (40 - 8 * i));
    b[6] = static_cast<char>(0x70 | (b[6] & 0x0F));  // version 7
    b[8] = static_cast<char>(0x80 | (b[8] & 0x3F));  // variant 10
    std::string out = toHex(b);
    for (const std::size_t dash : {8, 13, 18, 23}) out.insert(dash, 1, '-');
    return out;
}

bool isUuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

}  // namespace lms
