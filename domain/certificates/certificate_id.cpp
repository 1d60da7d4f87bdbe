#include "domain/certificates/certificate_id.hpp"

namespace lms::domain::certificates {
namespace {

constexpr std::size_t kData = 11;

int valueOf(char ch) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (ch == 'O') ch = '0';
    if (ch == 'I' || ch == 'L') ch = '1';
    const auto at = kIdAlphabet.find(ch);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

char checkCharacter(std::string_view data) {
    // Luhn mod N (N = 32): from the right, every second value doubled and its base-32 digits summed.
    constexpr int kN = static_cast<int>(kIdAlphabet.size());
    int factor = 2;
    int sum = 0;
    for (auto it = data.rbegin(); it != data.rend(); ++it) {
        int addend = factor * valueOf(*it);
        factor = factor == 2 ? 1 : 2;
        addend = addend / kN + addend % kN;
        sum += addend;
    }
    return kIdAlphabet[static_cast<std::size_t>((kN - sum % kN) % kN)];
}

std::string certificateIdFrom(const std::array<std::uint8_t, kIdRandomBytes>& random) {
    std::uint64_t bits = 0;
    for (const auto b : random) bits = (bits << 8) | b;
    std::string data;
    for (std::size_t i = 0; i < kData; ++i) {
        data.push_back(kIdAlphabet[bits & 31U]);
        bits >>= 5;
    }
    data.push_back(checkCharacter(data));
    return "LMS-" + data.substr(0, 4) + "-" + data.substr(4, 4) + "-" + data.substr(8, 4);
}

std::optional<std::string> parseCertificateId(std::string_view text) {
    std::string chars;
    for (const char ch : text) {
        if (ch == '-' || ch == ' ') continue;
        chars.push_back(ch);
    }
    if (chars.size() == kData + 4) {
        const auto prefix = chars.substr(0, 3);
        if (prefix != "LMS" && prefix != "lms" && prefix != "Lms") return std::nullopt;
        chars.erase(0, 3);
    }
    if (chars.size() != kData + 1) return std::nullopt;
    std::string data;
    for (const char ch : chars) {
        const int v = valueOf(ch);
        if (v < 0) return std::nullopt;
        data.push_back(kIdAlphabet[static_cast<std::size_t>(v)]);
    }
    if (checkCharacter(std::string_view(data).substr(0, kData)) != data.back()) return std::nullopt;
    return "LMS-" + data.substr(0, 4) + "-" + data.substr(4, 4) + "-" + data.substr(8, 4);
}

}  // namespace lms::domain::certificates
