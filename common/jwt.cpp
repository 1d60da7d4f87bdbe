#include "common/jwt.hpp"

#include "common/sha256.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace lms::jwt {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string base64UrlEncode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (i + 1 == in.size()) {
        const unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
    } else if (i + 2 == in.size()) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> base64UrlDecode(std::string_view in) {
    if (in.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(in.size() * 3 / 4);
    unsigned buf = 0;
    int bits = 0;
    for (char c : in) {
        int v = -1;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '-') v = 62;
        else if (c == '_') v = 63;
        if (v < 0) return std::nullopt;
        buf = (buf << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buf >> bits) & 0xFF);
        }
    }
    if ((buf & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical trailing bits
    return out;
}

std::string signHs256(const nlohmann::json& claims, const std::string& key) {
    const std::string input = base64UrlEncode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64UrlEncode(claims.dump());
    return input + "." + base64UrlEncode(hmacSha256(key, input));
}

const char* describe(Failure f) {
    switch (f) {
        case Failure::Malformed: return "malformed token";
        case Failure::UnsupportedAlgorithm: return "unsupported algorithm";
        case Failure::BadSignature: return "bad signature";
        case Failure::Expired: return "token expired";
        case Failure::NoExpiry: return "token without expiry";
        case Failure::NotYetValid: return "token not yet valid";
        case Failure::WrongIssuer: return "wrong issuer";
        default: return "wrong audience";
    }
}

expected<nlohmann::json, Failure> verifyHs256(std::string_view token, const std::string& key, const Checks& checks) {
    if (token.size() > 8192) return unexpected(Failure::Malformed);
    const auto d1 = token.find('.');
    const auto d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
    if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
        return unexpected(Failure::Malformed);
    }
    // The header signHs256 writes, {"alg":"HS256","typ":"JWT"}, is recognised without parsing it
    // (it is on every authenticated request); any other header is parsed and must name HS256.
    static constexpr std::string_view kOwnHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
    if (token.substr(0, d1) != kOwnHeader) {
        const auto headerText = base64UrlDecode(token.substr(0, d1));
        if (!headerText) return unexpected(Failure::Malformed);
        const auto header = nlohmann::json::parse(*headerText, nullptr, false);
        if (!header.is_object()) return unexpected(Failure::Malformed);
        const auto alg = header.find("alg");
        if (alg == header.end() || !alg->is_string() || *alg != "HS256") {
            return unexpected(Failure::UnsupportedAlgorithm);
        }
    }
    const auto payloadText = base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1));
    const auto signature = base64UrlDecode(token.substr(d2 + 1));
    if (!payloadText || !signature) return unexpected(Failure::Malformed);
    const std::string expectedSig = hmacSha256(key, token.substr(0, d2));
    if (signature->size() != expectedSig.size() ||
        CRYPTO_memcmp(signature->data(), expectedSig.data(), expectedSig.size()) != 0) {
        return unexpected(Failure::BadSignature);
    }
    // Claims are parsed only once the signature holds: a forged token costs one HMAC.
    const auto claims = nlohmann::json::parse(*payloadText, nullptr, false);
    if (!claims.is_object()) return unexpected(Failure::Malformed);
    if (checks.requireExpiry) {
        const auto exp = claims.find("exp");
        if (exp == claims.end() || !exp->is_number()) return unexpected(Failure::NoExpiry);
    }
    if (checks.now) {
        const auto exp = claims.find("exp");
        if (exp != claims.end() &&
            (!exp->is_number() || *checks.now >= exp->get<std::int64_t>() + checks.leewaySeconds)) {
            return unexpected(Failure::Expired);
        }
        const auto nbf = claims.find("nbf");
        if (nbf != claims.end() && (!nbf->is_number() || *checks.now + checks.leewaySeconds < nbf->get<std::int64_t>())) {
            return unexpected(Failure::NotYetValid);
        }
    }
    if (!checks.issuer.empty() && claims.value("iss", "") != checks.issuer) return unexpected(Failure::WrongIssuer);
    if (!checks.audience.empty()) {
        const auto aud = claims.find("aud");
        bool ok = aud != claims.end() &&
                  ((aud->is_string() && *aud == checks.audience) ||
                   (aud->is_array() && std::find(aud->begin(), aud->end(), checks.audience) != aud->end()));
        if (!ok) return unexpected(Failure::WrongAudience);
    }
    return claims;
}

}  // namespace lms::jwt
