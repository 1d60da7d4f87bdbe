#include "workers/storage/s3_request.hpp"

#include <charconv>
#include <stdexcept>

#include "common/sha256.hpp"

namespace lms::storage {
namespace {

constexpr std::string_view kService = "s3";

struct Endpoint {
    bool https = true;
    std::string host;
    std::uint16_t port = 443;
    bool defaultPort = true;
};

Endpoint parseEndpoint(std::string_view endpoint) {
    Endpoint out;
    std::string_view rest;
    if (endpoint.rfind("https://", 0) == 0) {
        rest = endpoint.substr(8);
    } else if (endpoint.rfind("http://", 0) == 0) {
        out.https = false;
        out.port = 80;
        rest = endpoint.substr(7);
    } else {
        throw std::invalid_argument("S3 endpoint '" + std::string(endpoint) + "' is not an http(s):// URL");
    }
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    // host, [v6]:port or host:port; no path, no user info.
    const auto close = rest.rfind(']');
    const auto colon = rest.rfind(':');
    std::string_view host = rest;
    if (colon != std::string_view::npos && (close == std::string_view::npos || colon > close)) {
        host = rest.substr(0, colon);
        const auto digits = rest.substr(colon + 1);
        unsigned port = 0;
        const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (ec != std::errc() || p != digits.data() + digits.size() || port == 0 || port > 65535) {
            throw std::invalid_argument("S3 endpoint '" + std::string(endpoint) + "' has a bad port");
        }
        out.port = static_cast<std::uint16_t>(port);
        out.defaultPort = out.port == (out.https ? 443 : 80);
    }
    if (host.empty() || host.find_first_of("/?#@ ") != std::string_view::npos) {
        throw std::invalid_argument("S3 endpoint '" + std::string(endpoint) + "' is not scheme://host[:port]");
    }
    out.host = std::string(host);
    return out;
}

bool dnsCompatibleBucket(std::string_view bucket) {
    if (bucket.size() < 3 || bucket.size() > 63) return false;
    const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(bucket.front()) || !alnum(bucket.back())) return false;
    for (const char c : bucket) {
        if (!alnum(c) && c != '.' && c != '-') return false;
    }
    return bucket.find("..") == std::string_view::npos;
}

// Where to connect and the Host header: the bucket goes in front of the host when virtual-hosted.
struct Target {
    Endpoint endpoint;
    std::string hostHeader;
};

Target target(const S3Location& location) {
    checkLocation(location);
    Target out{parseEndpoint(location.endpoint), ""};
    if (!usesPathStyle(location)) out.endpoint.host = location.bucket + "." + out.endpoint.host;
    out.hostHeader = out.endpoint.host;
    if (!out.endpoint.defaultPort) out.hostHeader += ":" + std::to_string(out.endpoint.port);
    return out;
}

sigv4::Scope scope(const S3Location& location) { return {location.region, std::string(kService)}; }

std::string withQuery(const std::string& path, const sigv4::Fields& query) {
    return query.empty() ? path : path + "?" + sigv4::canonicalQuery(query);
}

S3Request headerSigned(const S3Location& location, const sigv4::Credentials& credentials, std::string method,
                       std::string_view key, sigv4::Fields headers, std::string payloadHash, const char* operation,
                       std::int64_t unixSeconds) {
    const auto where = target(location);
    sigv4::Request request{std::move(method), objectPath(location, key), {{"x-id", operation}}, {}, payloadHash};
    request.headers = std::move(headers);
    request.headers.emplace_back("host", where.hostHeader);
    request.headers.emplace_back("x-amz-content-sha256", std::move(payloadHash));
    request.headers.emplace_back("x-amz-date", sigv4::amzDate(unixSeconds));
    if (!credentials.sessionToken.empty())
        request.headers.emplace_back("x-amz-security-token", credentials.sessionToken);
    const auto signature = sigv4::sign(request, credentials, scope(location), unixSeconds, sigv4::kS3Path);
    request.headers.emplace_back("authorization", signature.authorization);
    return {request.method,
            where.endpoint.https,
            where.endpoint.host,
            where.endpoint.port,
            withQuery(request.path, request.query),
            std::move(request.headers)};
}

}  // namespace

void checkLocation(const S3Location& location) {
    parseEndpoint(location.endpoint);
    if (!dnsCompatibleBucket(location.bucket)) {
        throw std::invalid_argument("S3 bucket '" + location.bucket +
                                    "' is not a DNS-compatible name (3 to 63 of a-z 0-9 . -)");
    }
    if (location.region.empty()) throw std::invalid_argument("S3 region is empty");
}

bool usesPathStyle(const S3Location& location) {
    // A certificate for *.host names one label more than host: my.certs.host is not covered.
    return location.pathStyle || location.bucket.find('.') != std::string::npos;
}

std::string objectPath(const S3Location& location, std::string_view key) {
    const auto encoded = sigv4::uriEncode(key, true);
    return usesPathStyle(location) ? "/" + location.bucket + "/" + encoded : "/" + encoded;
}

S3Request putObjectRequest(const S3Location& location, const sigv4::Credentials& credentials, std::string_view key,
                           std::string_view payload, std::string_view contentType, std::int64_t unixSeconds) {
    sigv4::Fields headers{{"content-type", std::string(contentType)},
                          {"content-length", std::to_string(payload.size())}};
    return headerSigned(location, credentials, "PUT", key, std::move(headers), sha256Hex(payload), "PutObject",
                        unixSeconds);
}

S3Request getObjectRequest(const S3Location& location, const sigv4::Credentials& credentials, std::string_view key,
                           std::int64_t unixSeconds) {
    return headerSigned(location, credentials, "GET", key, {}, sha256Hex(""), "GetObject", unixSeconds);
}

S3Request deleteObjectRequest(const S3Location& location, const sigv4::Credentials& credentials, std::string_view key,
                              std::int64_t unixSeconds) {
    return headerSigned(location, credentials, "DELETE", key, {}, sha256Hex(""), "DeleteObject", unixSeconds);
}

std::string presignedGetUrl(const S3Location& location, const sigv4::Credentials& credentials, std::string_view key,
                            std::int64_t unixSeconds, std::int64_t expiresSeconds) {
    const auto where = target(location);
    // X-Amz-Content-Sha256 and x-id as AWS's SDK puts them in the URL: signed like the rest.
    sigv4::Request request{"GET",
                           objectPath(location, key),
                           {{"X-Amz-Content-Sha256", std::string(sigv4::kUnsignedPayload)}, {"x-id", "GetObject"}},
                           {{"host", where.hostHeader}},
                           std::string(sigv4::kUnsignedPayload)};
    sigv4::presign(request, credentials, scope(location), unixSeconds, expiresSeconds, sigv4::kS3Path);
    return std::string(where.endpoint.https ? "https://" : "http://") + where.hostHeader +
           withQuery(request.path, request.query);
}

S3ErrorBody parseS3Error(std::string_view body) {
    const auto element = [&](std::string_view name) {
        const auto open = "<" + std::string(name) + ">";
        const auto from = body.find(open);
        if (from == std::string_view::npos) return std::string();
        const auto start = from + open.size();
        const auto end = body.find("</" + std::string(name) + ">", start);
        return end == std::string_view::npos ? std::string() : std::string(body.substr(start, end - start));
    };
    if (body.find("<Error>") == std::string_view::npos) return {};
    return {element("Code"), element("Message")};
}

}  // namespace lms::storage
