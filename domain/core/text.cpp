#include "domain/core/text.hpp"

#include <array>
#include <cstdio>

namespace lms::domain::text {

std::size_t characters(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    return n;
}

namespace {

// Decodes the code point at s[i] (UTF-8), advancing i; an invalid sequence is U+FFFD, one byte.
char32_t next(std::string_view s, std::size_t& i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5U) == 0x6 ? 2 : (c >> 4U) == 0xE ? 3 : (c >> 3U) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
        ++i;
        return 0xFFFD;
    }
    char32_t cp = len == 1 ? c : c & (0x7FU >> len);
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6U) | (static_cast<unsigned char>(s[i + k]) & 0x3FU);
    i += len;
    return cp;
}

bool refused(char32_t cp, Lines lines) {
    if (lines == Lines::Multiple && (cp == '\n' || cp == '\r' || cp == '\t')) return false;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

std::optional<std::string> forbidden(std::string_view s, Lines lines) {
    std::size_t i = 0, position = 0;
    while (i < s.size()) {
        const char32_t cp = next(s, i);
        ++position;
        if (refused(cp, lines)) {
            std::array<char, 48> buf{};
            std::snprintf(buf.data(), buf.size(), "U+%04X at character %zu", static_cast<unsigned>(cp), position);
            return std::string(buf.data());
        }
    }
    return std::nullopt;
}

std::string forbiddenMessage(const std::string& what) {
    return "must not contain control, separator or bidirectional-override characters (" + what + ")";
}

std::optional<std::string> problem(std::string_view s, std::size_t min, std::size_t max, Lines lines) {
    const auto n = characters(s);
    if (n < min) return min <= 1 ? "must not be empty" : "must be at least " + std::to_string(min) + " characters";
    if (n > max) return "must be at most " + std::to_string(max) + " characters";
    if (const auto bad = forbidden(s, lines)) return forbiddenMessage(*bad);
    return std::nullopt;
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return "";
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

}  // namespace lms::domain::text
