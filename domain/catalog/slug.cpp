#include "domain/catalog/slug.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace lms::domain::catalog {
namespace {

struct Fold {
    char32_t cp;
    const char* ascii;
};
constexpr Fold kFolds[] = {
#include "fold_table.inc"
};

// ISO 4217 active alphabetic codes (the list of 2024), sorted.
constexpr std::array<std::string_view, 156> kCurrencies = {
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLP", "CNY", "COP", "CRC",
    "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS",
    "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
    "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD",
    "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS", "VES",
    "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG", "ZWL"};

// The code point at s[i] and its length in bytes; an invalid byte reads as U+FFFD, length 1.
std::pair<char32_t, std::size_t> decode(std::string_view s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    auto cont = [&](std::size_t k) { return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
    auto at = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F); };
    if (b < 0x80) return {b, 1};
    if ((b & 0xE0) == 0xC0 && cont(1)) return {(static_cast<char32_t>(b & 0x1F) << 6) | at(1), 2};
    if ((b & 0xF0) == 0xE0 && cont(1) && cont(2))
        return {(static_cast<char32_t>(b & 0x0F) << 12) | (at(1) << 6) | at(2), 3};
    if ((b & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3))
        return {(static_cast<char32_t>(b & 0x07) << 18) | (at(1) << 12) | (at(2) << 6) | at(3), 4};
    return {0xFFFD, 1};
}

void append(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Not a letter or digit of any script: controls, Latin-1 punctuation and symbols, combining marks
// (dropped, so that a decomposed "é" folds like a composed one), general punctuation, symbols,
// arrows, boxes, CJK punctuation, full-width ASCII punctuation, specials and emoji.
bool separator(char32_t cp) {
    return cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2B0 && cp <= 0x36F) || (cp >= 0x2000 && cp <= 0x2BFF) ||
           (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE00 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
           (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFFF0 && cp <= 0xFFFF) || cp >= 0x1F000;
}

// Lower case for the scripts with simple case pairs (Greek, Cyrillic); others have no case or
// keep it.
char32_t lower(char32_t cp) {
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 0x20;
    if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
    return cp;
}

}  // namespace

std::string slugify(std::string_view title) {
    constexpr std::size_t kMaxBytes = 80;
    std::string out;
    bool dash = false;
    for (std::size_t i = 0; i < title.size();) {
        const auto [cp, len] = decode(title, i);
        i += len;
        std::string piece;
        if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z')) {
            piece = static_cast<char>(cp);
        } else if (cp >= 'A' && cp <= 'Z') {
            piece = static_cast<char>(cp - 'A' + 'a');
        } else if (cp >= 0xC0 && cp <= 0x24F) {
            const auto* f = std::lower_bound(std::begin(kFolds), std::end(kFolds), cp,
                                             [](const Fold& x, char32_t c) { return x.cp < c; });
            if (f != std::end(kFolds) && f->cp == cp) piece = f->ascii;
        } else if (!separator(cp) && len > 1) {
            append(piece, lower(cp));
        } else if (cp >= 0x300 && cp <= 0x36F) {
            continue;  // a combining mark: part of the letter before it
        }
        if (piece.empty()) {
            dash = !out.empty();
            continue;
        }
        if (dash) piece.insert(piece.begin(), '-');
        if (out.size() + piece.size() > kMaxBytes) break;
        out += piece;
        dash = false;
    }
    return out.empty() ? std::string("course") : out;
}

std::string slugCandidate(const std::string& base, int n) { return n <= 1 ? base : base + "-" + std::to_string(n); }

bool isCurrency(std::string_view code) { return std::binary_search(kCurrencies.begin(), kCurrencies.end(), code); }

}  // namespace lms::domain::catalog
