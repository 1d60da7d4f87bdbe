// SigV4 (workers/storage/sigv4.hpp) against published vectors, copied in tests/vectors/aws-sigv4
// (SOURCE.md there): every case of AWS's aws-sig-v4-test-suite and of aws-c-auth's v4 suite (both
// header and query-string signing), and the two examples of the S3 API Reference. For each, the
// canonical request, the string to sign and the signature (and the Authorization header, or the
// presigned query) must equal the published ones byte for byte.
//
// Skipped: aws-sig-v4-test-suite/get-header-value-multiline alone. Its .creq joins the folded lines
// of a header with commas (`value1,value2,value3`); aws-c-auth's newer edition of the same case, AWS's
// SDKs (JavaScript: `trim().replace(/\s+/g, " ")`) and RFC 7230 §3.2.4 (obs-fold is replaced by a
// space) make them one value with spaces, `value1 value2 value3`, which is what we do and what the
// aws-c-auth case checks. The two editions cannot both be met.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>

#include "common/sha256.hpp"
#include "common/time.hpp"
#include "workers/storage/s3_request.hpp"
#include "workers/storage/sigv4.hpp"

namespace lms::storage::sigv4 {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kVectors = fs::path(LMS_VECTORS_DIR) / "aws-sigv4";
constexpr std::int64_t kSuiteTime = 1440938160;  // 2015-08-30T12:36:00Z, every case of both suites
const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const Scope kSuiteScope{"us-east-1", "service"};

std::string readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string percentDecode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out += fromHex(s.substr(i + 1, 2)).value();
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

Fields parseQuery(std::string_view query) {
    Fields out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto item = query.substr(0, amp);
        const auto eq = item.find('=');
        out.emplace_back(percentDecode(item.substr(0, eq)),
                         eq == std::string_view::npos ? "" : percentDecode(item.substr(eq + 1)));
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    }
    return out;
}

// A request as the suites write it: "METHOD PATH[?QUERY] HTTP/1.1", "Name:value" lines (a line
// starting with white space continues the value before it, kept with its line break: obs-fold),
// then a blank line and the body. The path may hold spaces, so the version is what follows the
// last space.
struct SuiteRequest {
    Request request;
    std::string body;
};

SuiteRequest parseRequest(const std::string& text) {
    SuiteRequest out;
    const auto headEnd = text.find("\n\n");
    const std::string head = text.substr(0, headEnd);
    out.body = headEnd == std::string::npos ? "" : text.substr(headEnd + 2);
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= head.size()) {
        auto end = head.find('\n', start);
        if (end == std::string::npos) end = head.size();
        lines.push_back(head.substr(start, end - start));
        start = end + 1;
    }
    const auto& first = lines.at(0);
    const auto methodEnd = first.find(' ');
    const auto versionStart = first.rfind(' ');
    out.request.method = first.substr(0, methodEnd);
    const auto target = first.substr(methodEnd + 1, versionStart - methodEnd - 1);
    const auto mark = target.find('?');
    out.request.path = target.substr(0, mark);
    if (mark != std::string::npos) out.request.query = parseQuery(target.substr(mark + 1));
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto& line = lines[i];
        if (line.empty()) continue;
        if (line.front() == ' ' || line.front() == '\t') {
            out.request.headers.back().second += "\n" + line;
            continue;
        }
        const auto colon = line.find(':');
        out.request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    out.request.payloadHash = sha256Hex(out.body);
    return out;
}

// The cases of a suite: every folder holding the marker file.
std::vector<fs::path> cases(const fs::path& root, const std::string& marker) {
    std::vector<fs::path> out;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_directory() && fs::exists(entry.path() / marker)) out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

TEST(SigV4, AmzDateIsTheBasicIso8601FormInUtc) {
    EXPECT_EQ(amzDate(kSuiteTime), "20150830T123600Z");
    EXPECT_EQ(amzDate(0), "19700101T000000Z");
    EXPECT_EQ(amzDate(1369353600), "20130524T000000Z");
    EXPECT_EQ(amzDate(4102444799), "20991231T235959Z");
}

TEST(SigV4, AwsTestSuiteEveryCase) {
    const auto root = kVectors / "aws-sig-v4-test-suite";
    int checked = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".req") continue;
        const auto dir = entry.path().parent_path();
        const auto name = entry.path().stem().string();
        if (name == "get-header-value-multiline") continue;  // the two editions disagree: see the top
        SCOPED_TRACE(name);
        const auto parsed = parseRequest(readFile(entry.path()));
        const auto signature = sign(parsed.request, kSuiteCredentials, kSuiteScope, kSuiteTime, kServicePath);
        EXPECT_EQ(signature.canonicalRequest, readFile(dir / (name + ".creq")));
        EXPECT_EQ(signature.stringToSign, readFile(dir / (name + ".sts")));
        EXPECT_EQ(signature.authorization, readFile(dir / (name + ".authz")));
        // The signed request (.sreq) is the request with that Authorization line: a check that the
        // .authz belongs to this .req.
        EXPECT_NE(readFile(dir / (name + ".sreq")).find("Authorization: " + signature.authorization), std::string::npos);
        ++checked;
    }
    EXPECT_EQ(checked, 30);  // 31 cases (normalize-path/ and post-sts-token/ hold 7 and 2), one skipped
}

// "Authorization:<value>" of a signed request.
std::string authorizationOf(const std::string& signedRequest) {
    const auto at = signedRequest.find("\nAuthorization:");
    if (at == std::string::npos) return {};
    const auto start = at + 15;
    return signedRequest.substr(start, signedRequest.find('\n', start) - start);
}

// The query parameters of a signed request's request line, sorted: the suite writes them in the
// order its signer added them, we in canonical order; a URL's meaning does not depend on it.
std::multiset<std::pair<std::string, std::string>> queryOf(const std::string& signedRequest) {
    const auto line = signedRequest.substr(0, signedRequest.find('\n'));
    const auto target = line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1);
    const auto mark = target.find('?');
    std::multiset<std::pair<std::string, std::string>> out;
    if (mark == std::string::npos) return out;
    for (auto& field : parseQuery(target.substr(mark + 1))) out.insert(std::move(field));
    return out;
}

TEST(SigV4, AwsCAuthSuiteEveryCaseHeaderAndQuery) {
    const auto root = kVectors / "aws-c-auth-v4";
    int checked = 0;
    for (const auto& dir : cases(root, "context.json")) {
        const auto name = dir.filename().string();
        SCOPED_TRACE(name);
        const auto context = json::parse(readFile(dir / "context.json"));
        std::int64_t us = 0;
        ASSERT_TRUE(parseTimestampUs(context["timestamp"].get<std::string>(), us));
        const auto now = us / 1'000'000;
        ASSERT_EQ(now, kSuiteTime);
        const Scope scope{context["region"], context["service"]};
        const auto& c = context["credentials"];
        // omit_session_token: the token is added after signing (post-sts-header-after), so it is
        // not signed; without the flag, a token is signed.
        const bool omitToken = context.value("omit_session_token", false);
        const Credentials credentials{c["access_key_id"], c["secret_access_key"],
                                      omitToken ? "" : c.value("token", std::string())};
        const PathRules rules{context["normalize"].get<bool>(), true};
        const auto parsed = parseRequest(readFile(dir / "request.txt"));

        // Header signing: X-Amz-Date (and the token) added by authorize; with sign_body, the
        // payload's hash is sent (and signed) as x-amz-content-sha256, as S3 wants it.
        auto request = parsed.request;
        if (context["sign_body"].get<bool>()) request.headers.emplace_back("x-amz-content-sha256", request.payloadHash);
        const auto header = authorize(request, credentials, scope, now, rules);
        EXPECT_EQ(header.canonicalRequest, readFile(dir / "header-canonical-request.txt"));
        EXPECT_EQ(header.stringToSign, readFile(dir / "header-string-to-sign.txt"));
        EXPECT_EQ(header.signature, readFile(dir / "header-signature.txt"));
        EXPECT_EQ(header.authorization, authorizationOf(readFile(dir / "header-signed-request.txt")));
        EXPECT_EQ(request.headers.back(), (std::pair<std::string, std::string>("Authorization", header.authorization)));

        // Query-string signing (presigned), valid for expiration_in_seconds.
        auto presigned = parsed.request;
        const auto query = presign(presigned, credentials, scope, now, context["expiration_in_seconds"], rules);
        EXPECT_EQ(query.canonicalRequest, readFile(dir / "query-canonical-request.txt"));
        EXPECT_EQ(query.stringToSign, readFile(dir / "query-string-to-sign.txt"));
        EXPECT_EQ(query.signature, readFile(dir / "query-signature.txt"));
        if (!omitToken) {  // the published URL then carries the token unsigned, which we never do
            const auto ours = queryOf("GET /?" + canonicalQuery(presigned.query) + " HTTP/1.1\n");
            EXPECT_EQ(ours, queryOf(readFile(dir / "query-signed-request.txt")));
        }
        ++checked;
    }
    EXPECT_EQ(checked, 38);
}

TEST(SigV4, S3DocumentationExamples) {
    const auto doc = json::parse(readFile(kVectors / "s3_examples.json"));
    const auto& common = doc["common"];
    const Credentials credentials{common["access_key_id"], common["secret_access_key"], ""};
    const Scope scope{common["region"], common["service"]};
    constexpr std::int64_t kNow = 1369353600;  // 20130524T000000Z
    ASSERT_EQ(amzDate(kNow), common["amz_date"].get<std::string>());
    int checked = 0;
    for (const auto& c : doc["cases"]) {
        SCOPED_TRACE(c["name"].get<std::string>());
        if (c.contains("presigned_url")) {
            Request request{c["method"], c["path"], {}, {{"Host", c["host"]}}, std::string(kUnsignedPayload)};
            const auto signature = presign(request, credentials, scope, kNow, c["expires_seconds"], kS3Path);
            EXPECT_EQ(signature.canonicalRequest, c["canonical_request"].get<std::string>());
            EXPECT_EQ(signature.stringToSign, c["string_to_sign"].get<std::string>());
            EXPECT_EQ(signature.signature, c["signature"].get<std::string>());
            const std::string url = c["presigned_url"];
            const auto prefix = "https://" + c["host"].get<std::string>() + c["path"].get<std::string>() + "?";
            ASSERT_EQ(url.rfind(prefix, 0), 0U);
            EXPECT_EQ(queryOf("GET /?" + canonicalQuery(request.query) + " HTTP/1.1\n"),
                      queryOf("GET /?" + url.substr(prefix.size()) + " HTTP/1.1\n"));
        } else {
            Request request{c["method"], c["path"], {}, {}, ""};
            for (const auto& [name, value] : c["headers"].items()) request.headers.emplace_back(name, value);
            request.payloadHash = c["headers"]["x-amz-content-sha256"];
            const auto signature = sign(request, credentials, scope, kNow, kS3Path);
            EXPECT_EQ(signature.canonicalRequest, c["canonical_request"].get<std::string>());
            EXPECT_EQ(signature.stringToSign, c["string_to_sign"].get<std::string>());
            EXPECT_EQ(signature.signature, c["signature"].get<std::string>());
            // The page writes the three parts with "," alone; the test suite and the SDKs (and we)
            // with ", ". S3 accepts both.
            std::string published = c["authorization"];
            for (auto at = published.find(','); at != std::string::npos; at = published.find(',', at + 2)) {
                published.insert(at + 1, " ");
            }
            EXPECT_EQ(signature.authorization, published);
        }
        ++checked;
    }
    EXPECT_EQ(checked, 2);
}

TEST(SigV4, UriEncodingFollowsAwsRules) {
    EXPECT_EQ(uriEncode("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(uriEncode("a b+c=d&e/f*g!h'i(j)k"), "a%20b%2Bc%3Dd%26e%2Ff%2Ag%21h%27i%28j%29k");
    EXPECT_EQ(uriEncode("a b/c", true), "a%20b/c");
    EXPECT_EQ(uriEncode("ü€"), "%C3%BC%E2%82%AC");  // upper-case hex of the UTF-8 bytes
    EXPECT_EQ(uriEncode("%41"), "%2541");           // never decoded first: a '%' is data
}

TEST(SigV4, PathNormalizationAsTheSdksDoIt) {
    EXPECT_EQ(normalizePath(""), "/");
    EXPECT_EQ(normalizePath("/"), "/");
    EXPECT_EQ(normalizePath("//a//b//"), "/a/b/");
    EXPECT_EQ(normalizePath("/a/./b/../c"), "/a/c");
    EXPECT_EQ(normalizePath("/a/.."), "/");
    EXPECT_EQ(normalizePath("/../../a"), "/a");
    // S3: the path as sent, encoded already, not a byte changed.
    EXPECT_EQ(canonicalUri("/b/a//x/../%20y", kS3Path), "/b/a//x/../%20y");
    // Other services encode what is sent, so a %20 on the wire is signed as %2520.
    EXPECT_EQ(canonicalUri("/a%20b", kServicePath), "/a%2520b");
}

TEST(SigV4, CanonicalHeadersTrimCollapseSortAndJoin) {
    const Fields headers{{"X-B", "  two   words "}, {"x-a", "1"}, {"X-A", "\t2\r\n 3"}, {"Host", "h"}};
    EXPECT_EQ(canonicalHeaders(headers), "host:h\nx-a:1,2 3\nx-b:two words\n");
    EXPECT_EQ(signedHeaders(headers), "host;x-a;x-b");
}

TEST(SigV4, CanonicalQuerySortsByEncodedNameThenValue) {
    EXPECT_EQ(canonicalQuery({{"b", "2"}, {"a", "z"}, {"a", "y"}, {"A", "x"}, {"c d", "e/f"}, {"e", ""}}),
              "A=x&a=y&a=z&b=2&c%20d=e%2Ff&e=");
}

TEST(SigV4, PresignRefusesExpiriesS3WouldRefuse) {
    Request request{"GET", "/k", {}, {{"host", "h"}}, std::string(kUnsignedPayload)};
    auto copy = request;
    EXPECT_THROW(presign(copy, kSuiteCredentials, kSuiteScope, kSuiteTime, 0, kS3Path), std::invalid_argument);
    copy = request;
    EXPECT_THROW(presign(copy, kSuiteCredentials, kSuiteScope, kSuiteTime, kMaxExpiresSeconds + 1, kS3Path),
                 std::invalid_argument);
    copy = request;
    EXPECT_NO_THROW(presign(copy, kSuiteCredentials, kSuiteScope, kSuiteTime, kMaxExpiresSeconds, kS3Path));
}

TEST(SigV4, ASessionTokenIsSignedInTheQueryAndHeaders) {
    const Credentials withToken{"AKID", "secret", "tok/en+=="};
    Request request{"GET", "/k", {}, {{"host", "h"}}, std::string(kUnsignedPayload)};
    const auto signature = presign(request, withToken, kSuiteScope, kSuiteTime, 60, kS3Path);
    EXPECT_NE(signature.canonicalRequest.find("&X-Amz-Security-Token=tok%2Fen%2B%3D%3D&"), std::string::npos);
    Request header{"GET", "/k", {}, {{"host", "h"}}, sha256Hex("")};
    const auto headerSigned = authorize(header, withToken, kSuiteScope, kSuiteTime, kS3Path);
    EXPECT_NE(headerSigned.authorization.find("SignedHeaders=host;x-amz-date;x-amz-security-token,"), std::string::npos);
    Request without{"GET", "/k", {}, {{"host", "h"}}, sha256Hex("")};
    EXPECT_NE(authorize(without, kSuiteCredentials, kSuiteScope, kSuiteTime, kS3Path).signature, headerSigned.signature);
}

// The S3 requests S3Store sends (the SDK cross-check in tests/providers proves their signatures).
TEST(S3Request, PathStyleAndVirtualHostedTargetsAndHosts) {
    const Credentials credentials{"AKID", "secret", ""};
    S3Location path{"http://127.0.0.1:9000/", "us-east-1", "certs", true};
    const auto put = putObjectRequest(path, credentials, "a b/ü.pdf", "%PDF", "application/pdf", kSuiteTime);
    EXPECT_EQ(put.method, "PUT");
    EXPECT_FALSE(put.https);
    EXPECT_EQ(put.host, "127.0.0.1");
    EXPECT_EQ(put.port, 9000);
    EXPECT_EQ(put.target, "/certs/a%20b/%C3%BC.pdf?x-id=PutObject");
    const auto header = [](const S3Request& r, const std::string& name) {
        for (const auto& [n, v] : r.headers)
            if (n == name) return v;
        return std::string("(none)");
    };
    EXPECT_EQ(header(put, "host"), "127.0.0.1:9000");
    EXPECT_EQ(header(put, "content-length"), "4");
    EXPECT_EQ(header(put, "x-amz-content-sha256"), sha256Hex("%PDF"));
    EXPECT_EQ(header(put, "x-amz-security-token"), "(none)");

    S3Location virtualHosted{"https://s3.eu-west-2.amazonaws.com:443", "eu-west-2", "certs", false};
    const auto get = getObjectRequest(virtualHosted, {"AKID", "secret", "token"}, "k.pdf", kSuiteTime);
    EXPECT_TRUE(get.https);
    EXPECT_EQ(get.host, "certs.s3.eu-west-2.amazonaws.com");
    EXPECT_EQ(get.port, 443);
    EXPECT_EQ(get.target, "/k.pdf?x-id=GetObject");
    EXPECT_EQ(header(get, "host"), "certs.s3.eu-west-2.amazonaws.com");  // the default port is not written
    EXPECT_EQ(header(get, "x-amz-security-token"), "token");
    EXPECT_NE(header(get, "authorization").find("/20150830/eu-west-2/s3/aws4_request, "), std::string::npos);

    const auto url = presignedGetUrl(virtualHosted, credentials, "k.pdf", kSuiteTime, 600);
    EXPECT_EQ(url.rfind("https://certs.s3.eu-west-2.amazonaws.com/k.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&", 0), 0U)
        << url;
    EXPECT_NE(url.find("&X-Amz-Expires=600&"), std::string::npos);

    // A bucket with a dot always goes in the path (no wildcard certificate names my.certs.host).
    EXPECT_TRUE(usesPathStyle({"https://s3.eu-west-2.amazonaws.com", "eu-west-2", "my.certs", false}));
    const auto dotted = getObjectRequest({"http://h:9000", "r", "my.certs", false}, credentials, "k", kSuiteTime);
    EXPECT_EQ(dotted.target, "/my.certs/k?x-id=GetObject");
    EXPECT_EQ(dotted.host, "h");
    EXPECT_FALSE(usesPathStyle(virtualHosted));
}

TEST(S3Request, BadLocationsAreRefused) {
    const Credentials credentials{"AKID", "secret", ""};
    for (const auto& location :
         {S3Location{"ftp://h", "r", "certs", true}, S3Location{"http://", "r", "certs", true},
          S3Location{"http://h:0", "r", "certs", true}, S3Location{"http://h:99999", "r", "certs", true},
          S3Location{"http://h/path", "r", "certs", true}, S3Location{"http://h", "r", "Certs", true},
          S3Location{"http://h", "r", "ab", true}, S3Location{"http://h", "r", "a..b", true},
          S3Location{"http://h", "", "certs", true}}) {
        EXPECT_THROW(checkLocation(location), std::invalid_argument) << location.endpoint << " " << location.bucket;
    }
    EXPECT_NO_THROW(checkLocation(S3Location{"http://[::1]:9000", "r", "my.certs-1", true}));
}

TEST(S3Request, ErrorDocumentsGiveTheirCode) {
    const auto error = parseS3Error(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does "
        "not exist.</Message><Key>a.pdf</Key></Error>");
    EXPECT_EQ(error.code, "NoSuchKey");
    EXPECT_EQ(error.message, "The specified key does not exist.");
    EXPECT_EQ(parseS3Error("<html>bad gateway</html>").code, "");
    EXPECT_EQ(parseS3Error("").code, "");
}

}  // namespace
}  // namespace lms::storage::sigv4
