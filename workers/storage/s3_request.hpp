#pragma once
// The S3 requests S3Store sends, made as pure functions of the location, the credentials, the
// object and the time: PutObject, GetObject and DeleteObject signed in the Authorization header, and a presigned
// GetObject URL. Their shape is the one AWS's JavaScript SDK sends (lower-case header names,
// `x-id=PutObject` in the query, `X-Amz-Content-Sha256=UNSIGNED-PAYLOAD` in a presigned URL), so
// that tests/providers/aws_sdk_nodetest.cpp can require them byte-equal to the SDK's.
#include <cstdint>
#include <string>
#include <string_view>

#include "workers/storage/sigv4.hpp"

namespace lms::storage {

// A bucket and how to reach it.
struct S3Location {
    std::string endpoint;  // scheme://host[:port], no path: "https://s3.us-east-1.amazonaws.com", "http://127.0.0.1:9000"
    std::string region = "us-east-1";
    std::string bucket;
    bool pathStyle =
        true;  // scheme://host/bucket/key; false: scheme://bucket.host/key (virtual-hosted; see usesPathStyle)
};

// A request ready to be written: where to connect and what to send (the body is the caller's).
struct S3Request {
    std::string method;
    bool https = true;
    std::string host;  // to connect to (the endpoint's host, or bucket.host when virtual-hosted)
    std::uint16_t port = 443;
    std::string target;     // path and query as on the request line: "/certs/a%20b.pdf?x-id=PutObject"
    sigv4::Fields headers;  // every header to send, Host and Authorization included
};

// Throws std::invalid_argument when the endpoint is not http(s)://host[:port] or the bucket is
// not a DNS-compatible name (3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit).
void checkLocation(const S3Location& location);

// Whether requests name the bucket in the path: with pathStyle, and also, as AWS's JavaScript SDK
// decides it for an endpoint of its own, for a bucket with a '.', which a wildcard certificate
// (*.s3.amazonaws.com) would not cover as a host name.
bool usesPathStyle(const S3Location& location);

// The object's path as sent and signed: "/bucket/<key>" (path-style) or "/<key>", each byte of
// the key but '/' URI-encoded once (S3 signs it as is, without a second encoding).
std::string objectPath(const S3Location& location, std::string_view key);

// PUT with Content-Type, Content-Length and x-amz-content-sha256 = sha256(payload): S3 checks the
// body it receives against the signed hash.
S3Request putObjectRequest(const S3Location& location, const sigv4::Credentials& credentials, std::string_view key,
                           std::string_view payload, std::string_view contentType, std::int64_t unixSeconds);
S3Request getObjectRequest(const S3Location& location, const sigv4::Credentials& credentials, std::string_view key,
                           std::int64_t unixSeconds);
S3Request deleteObjectRequest(const S3Location& location, const sigv4::Credentials& credentials, std::string_view key,
                              std::int64_t unixSeconds);
// A URL that GETs the object without credentials until unixSeconds + expiresSeconds (1 second to 7
// days; std::invalid_argument otherwise). Only Host is signed; the payload is UNSIGNED-PAYLOAD.
std::string presignedGetUrl(const S3Location& location, const sigv4::Credentials& credentials, std::string_view key,
                            std::int64_t unixSeconds, std::int64_t expiresSeconds);

// What an S3 error document (`<Error><Code>NoSuchKey</Code><Message>...</Message>...`) says, for
// the exception's message; empty fields when the body is not one.
struct S3ErrorBody {
    std::string code;
    std::string message;
};
S3ErrorBody parseS3Error(std::string_view body);

}  // namespace lms::storage
