#include "workers/storage/sigv4.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <stdexcept>

#include "common/sha256.hpp"

namespace lms::storage::sigv4 {
namespace {

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Trimmed, every run of white space one space (what AWS's SDKs do: trim().replace(/\s+/g, " ")).
std::string collapse(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    bool pending = false;
    for (const char c : value) {
        if (space(c)) {
            pending = !out.empty();
            continue;
        }
        if (pending) out.push_back(' ');
        pending = false;
        out.push_back(c);
    }
    return out;
}

// Lower-cased names to their values in canonical form, the values of one name joined by ','.
std::map<std::string, std::string> canonicalHeaderMap(const Fields& headers) {
    std::map<std::string, std::string> byName;
    for (const auto& [name, value] : headers) {
        auto [it, fresh] = byName.try_emplace(lower(name), collapse(value));
        if (!fresh) it->second += "," + collapse(value);
    }
    return byName;
}

}  // namespace

std::string uriEncode(std::string_view bytes, bool keepSlash) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size());
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (unreserved(c) || (keepSlash && c == '/')) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0F]);
        }
    }
    return out;
}

std::string normalizePath(std::string_view path) {
    std::vector<std::string_view> segments;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const auto segment = path.substr(start, end - start);
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        start = end + 1;
    }
    std::string out = path.empty() || path.front() == '/' ? "/" : "";
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (i > 0) out += '/';
        out += segments[i];
    }
    if (!segments.empty() && path.back() == '/') out += '/';
    return out;
}

std::string canonicalUri(std::string_view path, PathRules rules) {
    std::string uri = rules.normalize ? normalizePath(path) : std::string(path);
    if (rules.encode) uri = uriEncode(uri, true);
    return uri.empty() ? "/" : uri;
}

std::string canonicalQuery(const Fields& query) {
    std::vector<std::pair<std::string, std::string>> encoded;
    encoded.reserve(query.size());
    for (const auto& [name, value] : query) encoded.emplace_back(uriEncode(name), uriEncode(value));
    std::sort(encoded.begin(), encoded.end());
    std::string out;
    for (const auto& [name, value] : encoded) {
        if (!out.empty()) out += '&';
        out += name + "=" + value;
    }
    return out;
}

std::string canonicalHeaders(const Fields& headers) {
    std::string out;
    for (const auto& [name, value] : canonicalHeaderMap(headers)) out += name + ":" + value + "\n";
    return out;
}

std::string signedHeaders(const Fields& headers) {
    std::string out;
    for (const auto& [name, value] : canonicalHeaderMap(headers)) {
        if (!out.empty()) out += ';';
        out += name;
    }
    return out;
}

std::string canonicalRequest(const Request& request, PathRules rules) {
    return request.method + "\n" + canonicalUri(request.path, rules) + "\n" + canonicalQuery(request.query) + "\n" +
           canonicalHeaders(request.headers) + "\n" + signedHeaders(request.headers) + "\n" + request.payloadHash;
}

std::string amzDate(std::int64_t unixSeconds) {
    const auto t = static_cast<std::time_t>(unixSeconds);
    std::tm tm{};
    if (::gmtime_r(&t, &tm) == nullptr || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
        throw std::invalid_argument("sigv4: time out of range");
    }
    char out[64];
    std::snprintf(out, sizeof out, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    return out;
}

std::string credentialScope(std::string_view date8, const Scope& scope) {
    return std::string(date8) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

std::string stringToSign(std::string_view amzDate, std::string_view credentialScope, std::string_view canonicalRequest) {
    return std::string(kAlgorithm) + "\n" + std::string(amzDate) + "\n" + std::string(credentialScope) + "\n" +
           sha256Hex(canonicalRequest);
}

std::string signingKey(std::string_view secretAccessKey, std::string_view date8, const Scope& scope) {
    const auto date = hmacSha256("AWS4" + std::string(secretAccessKey), date8);
    const auto region = hmacSha256(date, scope.region);
    const auto service = hmacSha256(region, scope.service);
    return hmacSha256(service, "aws4_request");
}

Signature sign(const Request& request, const Credentials& credentials, const Scope& scope, std::int64_t unixSeconds,
               PathRules rules) {
    const auto date = amzDate(unixSeconds);
    const auto date8 = date.substr(0, 8);
    const auto credentialScopeValue = credentialScope(date8, scope);
    Signature out;
    out.canonicalRequest = canonicalRequest(request, rules);
    out.stringToSign = stringToSign(date, credentialScopeValue, out.canonicalRequest);
    out.signature = toHex(hmacSha256(signingKey(credentials.secretAccessKey, date8, scope), out.stringToSign));
    out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.accessKeyId + "/" + credentialScopeValue +
                        ", SignedHeaders=" + signedHeaders(request.headers) + ", Signature=" + out.signature;
    return out;
}

Signature authorize(Request& request, const Credentials& credentials, const Scope& scope, std::int64_t unixSeconds,
                    PathRules rules) {
    request.headers.emplace_back("X-Amz-Date", amzDate(unixSeconds));
    if (!credentials.sessionToken.empty())
        request.headers.emplace_back("X-Amz-Security-Token", credentials.sessionToken);
    auto out = sign(request, credentials, scope, unixSeconds, rules);
    request.headers.emplace_back("Authorization", out.authorization);
    return out;
}

Signature presign(Request& request, const Credentials& credentials, const Scope& scope, std::int64_t unixSeconds,
                  std::int64_t expiresSeconds, PathRules rules) {
    if (expiresSeconds < 1 || expiresSeconds > kMaxExpiresSeconds) {
        throw std::invalid_argument("sigv4: X-Amz-Expires must be 1.." + std::to_string(kMaxExpiresSeconds) +
                                    " seconds, not " + std::to_string(expiresSeconds));
    }
    const auto date = amzDate(unixSeconds);
    request.query.emplace_back("X-Amz-Algorithm", std::string(kAlgorithm));
    request.query.emplace_back("X-Amz-Credential",
                               credentials.accessKeyId + "/" + credentialScope(date.substr(0, 8), scope));
    request.query.emplace_back("X-Amz-Date", date);
    request.query.emplace_back("X-Amz-Expires", std::to_string(expiresSeconds));
    request.query.emplace_back("X-Amz-SignedHeaders", signedHeaders(request.headers));
    if (!credentials.sessionToken.empty()) request.query.emplace_back("X-Amz-Security-Token", credentials.sessionToken);
    auto out = sign(request, credentials, scope, unixSeconds, rules);
    out.authorization.clear();  // the signature travels in the query
    request.query.emplace_back("X-Amz-Signature", out.signature);
    return out;
}

}  // namespace lms::storage::sigv4
