#pragma once
// AWS Signature Version 4 (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html)
// as pure functions of the request, the credentials and the time, given as a value: no clock, no
// I/O. HMAC-SHA-256 and SHA-256 are common/sha256.hpp's (OpenSSL). Checked against AWS's test
// suite, aws-c-auth's cases and the S3 documentation's examples (tests/unit/sigv4_test.cpp), and
// against AWS's JavaScript SDK (tests/providers/aws_sdk_nodetest.cpp).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lms::storage::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
// The payload hash of a presigned S3 URL: whoever follows the link sends no body we could know.
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// The longest validity AWS accepts for a presigned URL (X-Amz-Expires): seven days.
inline constexpr std::int64_t kMaxExpiresSeconds = 604800;

struct Credentials {
    std::string accessKeyId;
    std::string secretAccessKey;
    std::string sessionToken;  // empty: long-term credentials; else sent (and signed) as X-Amz-Security-Token
};

// Where a signature is valid: "<date>/<region>/<service>/aws4_request".
struct Scope {
    std::string region;
    std::string service;
};

// How the request's path becomes the canonical URI. Every service but S3 normalizes the path
// (dot segments and empty segments removed, as AWS's SDKs do) and URI-encodes it, so that a path
// already percent-encoded on the wire is encoded a second time; S3 takes the path exactly as sent,
// which must therefore be encoded already (once: what s3_request's objectPath makes).
struct PathRules {
    bool normalize = true;
    bool encode = true;
};
inline constexpr PathRules kServicePath{true, true};
inline constexpr PathRules kS3Path{false, false};

// Header or query fields in the order given; names may repeat.
using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method;       // "GET", "PUT", ...
    std::string path;         // as on the wire, without the query: "/bucket/a%20b.pdf"
    Fields query;             // decoded names and values, any order
    Fields headers;           // every header to sign (Host included), names in any case
    std::string payloadHash;  // lower-case hex SHA-256 of the body, or kUnsignedPayload
};

// URI-encoding as AWS specifies it: every byte but A-Z a-z 0-9 - . _ ~ becomes %XY (upper-case
// hex), a space %20 (never '+'); '/' is kept when keepSlash (paths), encoded otherwise.
std::string uriEncode(std::string_view bytes, bool keepSlash = false);
// Empty and "." segments dropped, ".." removes the one before; the leading '/' kept, the trailing
// one kept when the path has one and something is left ("/a//b/../" -> "/a/", "/a/.." -> "/").
std::string normalizePath(std::string_view path);
// The second line of the canonical request ("/" for an empty path).
std::string canonicalUri(std::string_view path, PathRules rules);
// name=value pairs, each URI-encoded, sorted by encoded name then encoded value, joined by '&'.
std::string canonicalQuery(const Fields& query);
// One "name:value\n" per header name: names lower-cased and sorted, values trimmed and every run
// of white space (line folds included) made one space, the values of a repeated name joined by
// ',' in the order given.
std::string canonicalHeaders(const Fields& headers);
// The lower-cased header names, sorted, without repeats, joined by ';'.
std::string signedHeaders(const Fields& headers);
std::string canonicalRequest(const Request& request, PathRules rules);

// ISO 8601 basic format in UTC, as X-Amz-Date wants it: 20150830T123600Z.
std::string amzDate(std::int64_t unixSeconds);
// "20150830/us-east-1/service/aws4_request"; date8 is the first 8 characters of amzDate.
std::string credentialScope(std::string_view date8, const Scope& scope);
std::string stringToSign(std::string_view amzDate, std::string_view credentialScope, std::string_view canonicalRequest);
// HMAC chain "AWS4" + secret -> date8 -> region -> service -> "aws4_request": 32 raw bytes.
std::string signingKey(std::string_view secretAccessKey, std::string_view date8, const Scope& scope);

struct Signature {
    std::string canonicalRequest;
    std::string stringToSign;
    std::string signature;      // lower-case hex HMAC-SHA-256(signingKey, stringToSign)
    std::string authorization;  // the Authorization header's value: "AWS4-HMAC-SHA256 Credential=...,
                                // SignedHeaders=..., Signature=..."
};

// Signs the request as it is: every header it holds is signed, and it must already hold Host and
// X-Amz-Date == amzDate(unixSeconds) (and X-Amz-Security-Token, for it to be signed). No session
// token is read from credentials here.
Signature sign(const Request& request, const Credentials& credentials, const Scope& scope, std::int64_t unixSeconds,
               PathRules rules);

// Header authentication: adds X-Amz-Date and, with a session token, X-Amz-Security-Token to the
// request's headers, signs every header, and adds Authorization.
Signature authorize(Request& request, const Credentials& credentials, const Scope& scope, std::int64_t unixSeconds,
                    PathRules rules);

// Query-string authentication (a presigned URL): adds X-Amz-Algorithm, X-Amz-Credential,
// X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and, with a session token, X-Amz-Security-Token
// to the request's query, signs it with its headers (at least Host) and its payloadHash, and adds
// X-Amz-Signature. The URL's query string is then canonicalQuery(request.query).
// Throws std::invalid_argument unless 1 <= expiresSeconds <= kMaxExpiresSeconds.
Signature presign(Request& request, const Credentials& credentials, const Scope& scope, std::int64_t unixSeconds,
                  std::int64_t expiresSeconds, PathRules rules);

}  // namespace lms::storage::sigv4
