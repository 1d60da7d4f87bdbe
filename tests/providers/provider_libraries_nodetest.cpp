// Our webhook signatures against the providers' own Node libraries (tests/providers/package.json
// pins them; ops/test installs them with npm ci): headers that the stripe package makes are
// accepted by verifyStripe, and refused once tampered with; what signStripe and signRazorpay make is
// accepted by stripe's verifyHeader and razorpay's validateWebhookSignature; and on every case here,
// the published vectors included, each library and our code give the same verdict. Node missing,
// or the packages not installed, is a failure, not a skip.
//
// And our S3 requests (workers/storage/s3_request.hpp) against AWS's JavaScript SDK
// (@aws-sdk/client-s3 and @aws-sdk/s3-request-presigner): for the same bucket, key, credentials and
// a fixed clock, the presigned GET URL and the signed PutObject request (target, Host,
// Authorization, x-amz-date, x-amz-content-sha256, the token, every header) are byte-equal to the
// SDK's, virtual-hosted and path-style, on AWS's endpoints and others.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "common/sha256.hpp"
#include "common/webhook_signature.hpp"
#include "tests/support/process.hpp"
#include "workers/storage/s3_request.hpp"

namespace lms::webhook {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kProvidersDir = LMS_PROVIDERS_DIR;
const fs::path kVectorsDir = LMS_VECTORS_DIR;

// Runs every request through tests/providers/cross_check.js; the answers by request id.
std::map<int, json> ask(std::vector<json> requests) {
    const auto node = test::onPath("node");
    if (node.empty()) throw std::runtime_error("node is not on PATH: ops/test installs it (lms_install_deps)");
    for (const char* package : {"stripe", "razorpay", "@aws-sdk/client-s3", "@aws-sdk/s3-request-presigner"}) {
        if (!fs::exists(kProvidersDir / "node_modules" / package / "package.json"))
            throw std::runtime_error(std::string("tests/providers/node_modules/") + package +
                                     " is missing: run npm ci in tests/providers (ops/test does)");
    }
    const auto file = fs::temp_directory_path() / ("lms-providers-" + std::to_string(::getpid()) + ".jsonl");
    {
        std::ofstream out(file, std::ios::binary);
        for (std::size_t i = 0; i < requests.size(); ++i) {
            requests[i]["id"] = i;
            out << requests[i].dump() << '\n';
        }
    }
    std::map<int, json> answers;
    test::Process script(std::vector<std::string>{node, (kProvidersDir / "cross_check.js").string(), file.string()}, {});
    for (;;) {
        const auto line = json::parse(script.readLine(std::chrono::seconds(60)));
        if (line.contains("done")) break;
        answers[line["id"].get<int>()] = line;
    }
    EXPECT_EQ(script.wait(), 0);
    fs::remove(file);
    EXPECT_EQ(answers.size(), requests.size());
    return answers;
}

std::string readBytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string flipped(std::string s, std::size_t at) {
    s[at] = s[at] == 'a' ? 'b' : 'a';
    return s;
}

// Payloads that a careless verifier would get wrong: JSON, multi-byte UTF-8, CR LF and a final
// newline, the header's own separators, a large body.
const std::vector<std::string> kPayloads{
    R"({"id":"evt_1","object":"event","type":"checkout.session.completed"})",
    R"({"course":"कोर्स 課程","amount":"₹499"})",
    "{\r\n  \"id\": \"evt_2\"\r\n}\n",
    "t=1,v1=abc,v0=def",
    std::string(64 * 1024, 'x'),
};
const std::vector<std::string> kSecrets{"whsec_test_secret", "whsec_5f2dGx8bVnB9kQ1z", "no_prefix_secret"};
const std::vector<std::int64_t> kTimestamps{1700000000, 1, 4102444800};

TEST(StripeLibrary, HeadersItMakesAreAcceptedAndTamperedOnesRefused) {
    std::vector<json> requests;
    for (const auto& payload : kPayloads)
        for (const auto& secret : kSecrets)
            for (const auto t : kTimestamps)
                requests.push_back({{"op", "stripe.sign"}, {"payload", payload}, {"secret", secret}, {"timestamp", t}});
    const auto answers = ask(requests);
    ASSERT_EQ(answers.size(), requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& r = requests[i];
        const std::string payload = r["payload"];
        const std::string secret = r["secret"];
        const std::int64_t t = r["timestamp"];
        const std::string header = answers.at(static_cast<int>(i))["header"];
        const auto what = secret + " at " + std::to_string(t) + ": " + header;
        EXPECT_EQ(header, signStripe(payload, secret, t)) << what;
        EXPECT_EQ(verifyStripe(payload, header, {secret}, t), StripeVerdict::Accepted) << what;
        EXPECT_EQ(verifyStripe(payload, header, {"whsec_other", secret}, t + 300), StripeVerdict::Accepted) << what;
        EXPECT_EQ(verifyStripe(flipped(payload, payload.size() / 2), header, {secret}, t),
                  StripeVerdict::NoSignatureMatches)
            << what;
        EXPECT_EQ(verifyStripe(payload, flipped(header, header.size() - 1), {secret}, t),
                  StripeVerdict::NoSignatureMatches)
            << what;
        EXPECT_EQ(verifyStripe(payload, header, {"whsec_other"}, t), StripeVerdict::NoSignatureMatches) << what;
        EXPECT_EQ(verifyStripe(payload, header, {secret}, t + 301), StripeVerdict::TimestampOutsideTolerance) << what;
    }
    // A rolled secret: the library's two headers for the same event, as Stripe sends them, in one.
    for (std::size_t i = 0; i + kTimestamps.size() < requests.size(); i += kSecrets.size() * kTimestamps.size()) {
        const std::string payload = requests[i]["payload"];
        const std::string a = answers.at(static_cast<int>(i))["header"];
        const std::string b = answers.at(static_cast<int>(i + kTimestamps.size()))["header"];
        const auto both = a + b.substr(b.find(','));
        const std::int64_t t = requests[i]["timestamp"];
        EXPECT_EQ(verifyStripe(payload, both, {requests[i]["secret"].get<std::string>()}, t), StripeVerdict::Accepted)
            << both;
        EXPECT_EQ(verifyStripe(payload, both, {requests[i + kTimestamps.size()]["secret"].get<std::string>()}, t),
                  StripeVerdict::Accepted)
            << both;
    }
}

json stripeVerify(const std::string& payload, const std::string& header, const std::string& secret, std::int64_t now,
                  std::int64_t tolerance) {
    return {{"op", "stripe.verify"}, {"payload", payload},     {"header", header},
            {"secret", secret},      {"tolerance", tolerance}, {"now", now}};
}

TEST(StripeLibrary, JudgesOurHeadersAndThePublishedCasesAsWeDo) {
    constexpr std::int64_t kNow = 1700000000;
    std::vector<json> requests;
    for (const auto& payload : kPayloads) {
        for (const auto& secret : kSecrets) {
            const auto header = signStripe(payload, secret, kNow);
            requests.push_back(stripeVerify(payload, header, secret, kNow, 300));
            requests.push_back(stripeVerify(payload, header, secret, kNow + 300, 300));
            requests.push_back(stripeVerify(payload, header, secret, kNow + 301, 300));
            requests.push_back(stripeVerify(payload + "x", header, secret, kNow, 300));
            requests.push_back(stripeVerify(payload, flipped(header, 20), secret, kNow, 300));
            requests.push_back(stripeVerify(payload, header, secret + "x", kNow, 300));
            requests.push_back(stripeVerify(payload, header + ",v1=" + std::string(64, '0'), secret, kNow, 300));
            requests.push_back(
                stripeVerify(payload, "t=" + std::to_string(kNow) + ",v0=" + header.substr(16), secret, kNow, 300));
        }
    }
    const auto firstVector = requests.size();
    const auto doc = json::parse(readBytes(kVectorsDir / "stripe/stripe_webhook_cases.json"));
    for (const auto& c : doc["cases"]) {
        // null: no time check; the library's tolerance 0 means the same.
        requests.push_back(
            stripeVerify(c["payload"], c["header"], c["secret"], c["now"],
                         c["tolerance_seconds"].is_null() ? 0 : c["tolerance_seconds"].get<std::int64_t>()));
    }
    const auto answers = ask(requests);
    ASSERT_EQ(answers.size(), requests.size());
    int accepted = 0;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& r = requests[i];
        const std::int64_t tolerance = r["tolerance"];
        const auto ours = verifyStripe(r["payload"].get<std::string>(), r["header"].get<std::string>(),
                                       {r["secret"].get<std::string>()}, r["now"],
                                       tolerance == 0 ? std::numeric_limits<std::int64_t>::max() : tolerance);
        const auto& theirs = answers.at(static_cast<int>(i));
        EXPECT_EQ(theirs["accepted"].get<bool>(), ours == StripeVerdict::Accepted)
            << (i >= firstVector ? doc["cases"][i - firstVector]["name"].get<std::string>()
                                 : r["header"].get<std::string>())
            << " library: " << theirs["message"];
        accepted += ours == StripeVerdict::Accepted ? 1 : 0;
    }
    EXPECT_EQ(accepted, static_cast<int>(kPayloads.size() * kSecrets.size() * 3 + 7));  // 3 of each 8, 7 vectors
}

TEST(StripeLibrary, AcceptsAFutureTimestampThatWeRefuse) {
    // The one difference on purpose (common/webhook_signature.hpp): the library bounds only the age.
    constexpr std::int64_t kNow = 1700000000;
    const auto header = signStripe(kPayloads[0], kSecrets[0], kNow + 3600);
    const auto answers = ask({stripeVerify(kPayloads[0], header, kSecrets[0], kNow, 300)});
    EXPECT_TRUE(answers.at(0)["accepted"].get<bool>());
    EXPECT_EQ(verifyStripe(kPayloads[0], header, {kSecrets[0]}, kNow), StripeVerdict::TimestampOutsideTolerance);
}

json razorpayVerify(const std::string& body, const std::string& signature, const std::string& secret) {
    return {{"op", "razorpay.verify"}, {"body", body}, {"signature", signature}, {"secret", secret}};
}

TEST(RazorpayLibrary, AcceptsOurSignaturesAndWeAcceptWhatItAccepts) {
    auto bodies = kPayloads;
    bodies.push_back(readBytes(kVectorsDir / "razorpay/fake_payment_authorized_webhook.json"));
    bodies.emplace_back("");
    std::vector<json> requests;
    for (const auto& body : bodies) {
        for (const std::string secret : {"key_secret", "EnLs21M47BllR3X8PSFtjtbd"}) {
            const auto signature = signRazorpay(body, secret);
            std::string upper = signature;
            for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            requests.push_back(razorpayVerify(body, signature, secret));
            requests.push_back(razorpayVerify(body, upper, secret));
            requests.push_back(razorpayVerify(body + "x", signature, secret));
            requests.push_back(razorpayVerify(body, flipped(signature, 0), secret));
            requests.push_back(razorpayVerify(body, signature.substr(0, 63), secret));
            requests.push_back(razorpayVerify(body, signature, secret + "x"));
        }
    }
    const auto firstVector = requests.size();
    const auto doc = json::parse(readBytes(kVectorsDir / "razorpay/razorpay_signature_cases.json"));
    for (const auto& c : doc["cases"]) {
        const std::string body = c.contains("body_file")
                                     ? readBytes(kVectorsDir / "razorpay" / c["body_file"].get<std::string>())
                                     : (c.contains("body") ? c["body"] : c["message"]).get<std::string>();
        requests.push_back(razorpayVerify(body, c["signature"], c["secret"]));
    }
    const auto answers = ask(requests);
    ASSERT_EQ(answers.size(), requests.size());
    int accepted = 0;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const auto& r = requests[i];
        const bool ours = verifyRazorpay(r["body"].get<std::string>(), r["signature"].get<std::string>(),
                                         r["secret"].get<std::string>());
        const auto& theirs = answers.at(static_cast<int>(i));
        EXPECT_EQ(theirs["accepted"].get<bool>(), ours)
            << (i >= firstVector ? doc["cases"][i - firstVector]["name"].get<std::string>()
                                 : r["signature"].get<std::string>())
            << " library: " << theirs["message"];
        if (i >= firstVector) {
            EXPECT_EQ(ours, doc["cases"][i - firstVector]["expected"] == "valid");
        }
        accepted += ours ? 1 : 0;
    }
    EXPECT_EQ(accepted, static_cast<int>(bodies.size() * 2 + 5));  // 1 of each 6, 5 valid vectors
}

// Where the bucket is, as we configure it and as the SDK is told (an empty endpoint: AWS's own,
// which the SDK works out from the region).
struct S3Place {
    storage::S3Location ours;
    std::string sdkEndpoint;
};

const std::vector<S3Place> kPlaces{
    {{"https://s3.us-east-1.amazonaws.com", "us-east-1", "certs", false}, ""},            // AWS, virtual-hosted
    {{"https://s3.eu-west-2.amazonaws.com", "eu-west-2", "lms-certificates", true}, ""},  // AWS, path-style
    {{"http://127.0.0.1:9000", "us-east-1", "certs", true}, "http://127.0.0.1:9000"},     // MinIO-like, path-style
    {{"https://storage.example.com:8443", "eu-central-1", "certs", false}, "https://storage.example.com:8443"},
    {{"https://objects.example.net", "auto", "certs", true}, "https://objects.example.net"},
    // A dot in the bucket: path-style whatever is asked (no wildcard certificate names
    // my.certs.host); the SDK decides the same.
    {{"https://storage.example.com:8443", "eu-central-1", "my.certs", false}, "https://storage.example.com:8443"},
    {{"http://minio.internal:9000", "us-east-1", "my.certs", false}, "http://minio.internal:9000"},
};
// Spaces, letters of other scripts, and every character that RFC 3986 reserves.
const std::vector<std::string> kKeys{"certificates/0190e0a7-7c1d-7000-8000-1a2b3c4d5e6f.pdf", "a b/Zoë ü€ 課程.pdf",
                                     "odd !'()*+=&$@,;:?#[]~%.pdf"};
const std::vector<storage::sigv4::Credentials> kCredentials{
    {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""},
    {"ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
     "IQoJb3JpZ2luX2VjEMr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token/with+plus=="},
};

json s3Request(const char* op, const S3Place& place, const std::string& key,
               const storage::sigv4::Credentials& credentials, std::int64_t now) {
    return {{"op", op},
            {"endpoint", place.sdkEndpoint},
            {"region", place.ours.region},
            {"bucket", place.ours.bucket},
            {"key", key},
            {"pathStyle", place.ours.pathStyle},
            {"accessKeyId", credentials.accessKeyId},
            {"secretAccessKey", credentials.secretAccessKey},
            {"sessionToken", credentials.sessionToken},
            {"now", now}};
}

TEST(AwsSdk, PresignedGetUrlsAreByteEqualToTheSdks) {
    struct Case {
        std::size_t place, key, credentials;
        std::int64_t now, expires;
    };
    std::vector<Case> cases;
    std::vector<json> requests;
    for (std::size_t p = 0; p < kPlaces.size(); ++p)
        for (std::size_t k = 0; k < kKeys.size(); ++k)
            for (std::size_t c = 0; c < kCredentials.size(); ++c)
                for (const auto& [now, expires] : {std::pair<std::int64_t, std::int64_t>{1700000000, 3600},
                                                   {1440938161, 1},
                                                   {4102444799, storage::sigv4::kMaxExpiresSeconds}}) {
                    cases.push_back({p, k, c, now, expires});
                    auto r = s3Request("s3.presignGet", kPlaces[p], kKeys[k], kCredentials[c], now);
                    r["expires"] = expires;
                    requests.push_back(r);
                }
    const auto answers = ask(requests);
    ASSERT_EQ(answers.size(), requests.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& c = cases[i];
        const auto ours = storage::presignedGetUrl(kPlaces[c.place].ours, kCredentials[c.credentials], kKeys[c.key],
                                                   c.now, c.expires);
        EXPECT_EQ(ours, answers.at(static_cast<int>(i))["url"].get<std::string>()) << requests[i].dump();
    }
}

TEST(AwsSdk, SignedPutObjectRequestsAreByteEqualToTheSdks) {
    const std::vector<std::string> bodies{"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + std::string("\0\xff\r\n", 4), "",
                                          std::string(100 * 1024, 'x')};
    struct Case {
        std::size_t place, key, credentials, body;
        std::int64_t now;
    };
    std::vector<Case> cases;
    std::vector<json> requests;
    for (std::size_t p = 0; p < kPlaces.size(); ++p)
        for (std::size_t k = 0; k < kKeys.size(); ++k)
            for (std::size_t c = 0; c < kCredentials.size(); ++c)
                for (std::size_t b = 0; b < bodies.size(); ++b) {
                    const std::int64_t now = 1700000000 + static_cast<std::int64_t>(requests.size()) * 3607;
                    cases.push_back({p, k, c, b, now});
                    auto r = s3Request("s3.put", kPlaces[p], kKeys[k], kCredentials[c], now);
                    r["bodyHex"] = toHex(bodies[b]);
                    r["contentType"] = b == 2 ? "text/plain; charset=utf-8" : "application/pdf";
                    requests.push_back(r);
                }
    const auto answers = ask(requests);
    ASSERT_EQ(answers.size(), requests.size());
    int tokens = 0;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto& c = cases[i];
        const auto& place = kPlaces[c.place].ours;
        const auto ours = storage::putObjectRequest(place, kCredentials[c.credentials], kKeys[c.key], bodies[c.body],
                                                    requests[i]["contentType"].get<std::string>(), c.now);
        const auto& sdk = answers.at(static_cast<int>(i));
        const auto what = requests[i].dump().substr(0, 300);
        EXPECT_EQ(ours.method, sdk["method"].get<std::string>()) << what;
        EXPECT_EQ(ours.https ? "https:" : "http:", sdk["protocol"].get<std::string>()) << what;
        EXPECT_EQ(ours.host, sdk["hostname"].get<std::string>()) << what;
        EXPECT_EQ(ours.port, sdk["port"].is_null() ? (ours.https ? 443 : 80) : sdk["port"].get<int>()) << what;
        std::string target = sdk["path"];
        std::string separator = "?";
        for (const auto& [name, value] : sdk["query"].items()) {
            target += separator + storage::sigv4::uriEncode(name) + "=" +
                      storage::sigv4::uriEncode(value.get<std::string>());
            separator = "&";
        }
        EXPECT_EQ(ours.target, target) << what;
        std::map<std::string, std::string> ourHeaders;
        for (const auto& [name, value] : ours.headers) ourHeaders[name] = value;
        std::map<std::string, std::string> sdkHeaders;
        for (const auto& [name, value] : sdk["headers"].items()) sdkHeaders[name] = value.get<std::string>();
        EXPECT_EQ(ourHeaders, sdkHeaders) << what;
        // What the brief names, said once more on its own: the three that carry the signature.
        for (const char* name : {"authorization", "x-amz-date", "x-amz-content-sha256"}) {
            EXPECT_EQ(ourHeaders[name], sdkHeaders[name]) << name << " " << what;
        }
        EXPECT_EQ(ourHeaders["x-amz-content-sha256"], sha256Hex(bodies[c.body]));
        tokens += sdkHeaders.count("x-amz-security-token") > 0 ? 1 : 0;
    }
    EXPECT_EQ(tokens, static_cast<int>(cases.size() / kCredentials.size()));  // the SDK sent the token when given
}
}  // namespace
}  // namespace lms::webhook
