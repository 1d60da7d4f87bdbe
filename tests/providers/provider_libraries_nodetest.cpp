// Our webhook signatures against the providers' own Node libraries (tests/providers/package.json
// pins them; ops/test installs them with npm ci): headers that the stripe package makes are
// accepted by verifyStripe, and refused once tampered with; what signStripe and signRazorpay make is
// accepted by stripe's verifyHeader and razorpay's validateWebhookSignature; and on every case here,
// the published vectors included, each library and our code give the same verdict. Node missing,
// or the packages not installed, is a failure, not a skip.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/webhook_signature.hpp"
#include "tests/support/process.hpp"

namespace lms::webhook {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kProvidersDir = LMS_PROVIDERS_DIR;
const fs::path kVectorsDir = LMS_VECTORS_DIR;

// node on PATH, as an absolute path (Process execs without a PATH search).
std::string nodeBinary() {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const auto candidate = fs::path(dir.empty() ? "." : dir) / "node";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return {};
}

// Runs every request through tests/providers/cross_check.js; the answers by request id.
std::map<int, json> ask(std::vector<json> requests) {
    const auto node = nodeBinary();
    if (node.empty()) throw std::runtime_error("node is not on PATH: ops/test installs it (lms_install_deps)");
    for (const char* package : {"stripe", "razorpay"}) {
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

}  // namespace
}  // namespace lms::webhook
