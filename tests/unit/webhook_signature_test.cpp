// Stripe's and Razorpay's webhook signatures against the published cases (tests/vectors/stripe,
// tests/vectors/razorpay, with their sources), and against headers built to hurt.
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/webhook_signature.hpp"

namespace lms::webhook {
namespace {

nlohmann::json load(const std::string& relative) {
    std::ifstream in(std::string(LMS_VECTORS_DIR) + "/" + relative);
    EXPECT_TRUE(in.good()) << relative;
    return nlohmann::json::parse(in);
}

std::string readBytes(const std::string& relative) {
    std::ifstream in(std::string(LMS_VECTORS_DIR) + "/" + relative, std::ios::binary);
    EXPECT_TRUE(in.good()) << relative;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The vectors' outcome names (their "expected_values") as our verdicts.
StripeVerdict verdictNamed(const std::string& name) {
    static const std::map<std::string, StripeVerdict> kNames{
        {"valid", StripeVerdict::Accepted},
        {"malformed_header", StripeVerdict::MalformedHeader},
        {"no_signatures_with_expected_scheme", StripeVerdict::NoV1Signature},
        {"no_matching_signature", StripeVerdict::NoSignatureMatches},
        {"timestamp_outside_tolerance", StripeVerdict::TimestampOutsideTolerance},
    };
    const auto it = kNames.find(name);
    if (it == kNames.end()) throw std::runtime_error("unknown expected outcome " + name);
    return it->second;
}

const std::string kPayload = R"({"id":"evt_1","object":"event"})";
const std::string kSecret = "whsec_test_secret";
constexpr std::int64_t kNow = 1700000000;

TEST(StripeVectors, EveryCaseHasItsExpectedOutcome) {
    const auto doc = load("stripe/stripe_webhook_cases.json");
    int checked = 0;
    for (const auto& c : doc["cases"]) {
        const std::string name = c["name"];
        // null: the time is not checked (stripe-python's tolerance=None, stripe-go's IgnoringTolerance).
        const auto tolerance = c["tolerance_seconds"].is_null() ? std::numeric_limits<std::int64_t>::max()
                                                                : c["tolerance_seconds"].get<std::int64_t>();
        EXPECT_EQ(verifyStripe(c["payload"].get<std::string>(), c["header"].get<std::string>(),
                               {c["secret"].get<std::string>()}, c["now"].get<std::int64_t>(), tolerance),
                  verdictNamed(c["expected"]))
            << name;
        if (c.contains("expected_v1")) {
            EXPECT_EQ(signStripe(c["payload"].get<std::string>(), c["secret"].get<std::string>(), c["now"]),
                      "t=" + std::to_string(c["now"].get<std::int64_t>()) + ",v1=" + c["expected_v1"].get<std::string>())
                << name;
        }
        ++checked;
    }
    EXPECT_EQ(checked, 20);
}

TEST(StripeVectors, RolledSecretsAcceptWithEitherSecretInTheList) {
    const auto doc = load("stripe/stripe_webhook_cases.json");
    for (const auto& c : doc["cases"]) {
        if (c["name"] != "multiple_v1_rolled_secret_old_key") continue;
        const std::vector<std::string> both{"whsec_test_secret_rolled_key", "whsec_test_secret"};
        EXPECT_EQ(verifyStripe(c["payload"].get<std::string>(), c["header"].get<std::string>(), both, kNow),
                  StripeVerdict::Accepted);
        EXPECT_EQ(
            verifyStripe(c["payload"].get<std::string>(), c["header"].get<std::string>(), {"whsec_yet_another"}, kNow),
            StripeVerdict::NoSignatureMatches);
        return;
    }
    FAIL() << "case multiple_v1_rolled_secret_old_key is missing";
}

TEST(Stripe, SignsWhatItVerifiesAndOnlyThat) {
    const auto header = signStripe(kPayload, kSecret, kNow);
    EXPECT_EQ(verifyStripe(kPayload, header, {kSecret}, kNow), StripeVerdict::Accepted);
    EXPECT_EQ(verifyStripe(kPayload + " ", header, {kSecret}, kNow), StripeVerdict::NoSignatureMatches);
    EXPECT_EQ(verifyStripe(kPayload, header, {"test_secret"}, kNow), StripeVerdict::NoSignatureMatches)
        << "the whsec_ prefix is part of the key";
    EXPECT_EQ(verifyStripe(kPayload, header, {}, kNow), StripeVerdict::NoSignatureMatches);
    EXPECT_EQ(verifyStripe("", signStripe("", kSecret, kNow), {kSecret}, kNow), StripeVerdict::Accepted);
    // v0 and unknown schemes beside v1 are skipped; the order of the items does not matter.
    const auto v1 = header.substr(header.find(",v1=") + 1);
    EXPECT_EQ(verifyStripe(kPayload, v1 + ",v0=abc,v9=x,t=" + std::to_string(kNow), {kSecret}, kNow),
              StripeVerdict::Accepted);
}

TEST(Stripe, ToleranceBoundsTheAgeBothWays) {
    const auto at = [](std::int64_t t) { return signStripe(kPayload, kSecret, t); };
    EXPECT_EQ(verifyStripe(kPayload, at(kNow - 300), {kSecret}, kNow), StripeVerdict::Accepted);
    EXPECT_EQ(verifyStripe(kPayload, at(kNow - 301), {kSecret}, kNow), StripeVerdict::TimestampOutsideTolerance);
    EXPECT_EQ(verifyStripe(kPayload, at(kNow + 300), {kSecret}, kNow), StripeVerdict::Accepted);
    EXPECT_EQ(verifyStripe(kPayload, at(kNow + 301), {kSecret}, kNow), StripeVerdict::TimestampOutsideTolerance)
        << "a header dated in the future would stay replayable past the tolerance";
    EXPECT_EQ(verifyStripe(kPayload, at(kNow), {kSecret}, kNow, 0), StripeVerdict::Accepted);
    EXPECT_EQ(verifyStripe(kPayload, at(kNow - 1), {kSecret}, kNow, 0), StripeVerdict::TimestampOutsideTolerance);
    EXPECT_EQ(verifyStripe(kPayload, at(kNow), {kSecret}, kNow, -1), StripeVerdict::TimestampOutsideTolerance);
    // The extremes of int64 neither overflow (UBSan watches) nor pass.
    const auto max = std::numeric_limits<std::int64_t>::max();
    const auto min = std::numeric_limits<std::int64_t>::min();
    EXPECT_EQ(verifyStripe(kPayload, at(max), {kSecret}, min), StripeVerdict::TimestampOutsideTolerance);
    EXPECT_EQ(verifyStripe(kPayload, at(0), {kSecret}, min, max), StripeVerdict::TimestampOutsideTolerance);
    EXPECT_EQ(verifyStripe(kPayload, at(max), {kSecret}, min, max), StripeVerdict::TimestampOutsideTolerance);
    EXPECT_EQ(verifyStripe(kPayload, at(max), {kSecret}, 0, max), StripeVerdict::Accepted);
}

TEST(Stripe, TheTimestampIsSignedAsTheNumberItReads) {
    // Stripe's libraries parse t and sign "<number>.<payload>": leading zeros change nothing.
    const auto header = signStripe(kPayload, kSecret, kNow);
    EXPECT_EQ(verifyStripe(kPayload, "t=000" + header.substr(2), {kSecret}, kNow), StripeVerdict::Accepted);
}

TEST(StripeHostile, HeadersThatAreNotStripeSignaturesAreMalformed) {
    const auto v1 = signStripe(kPayload, kSecret, kNow).substr(std::string("t=1700000000,").size());
    const auto ts = std::to_string(kNow);
    for (const std::string& header : std::vector<std::string>{
             "",
             ",",
             "t",
             "t=",
             "=",
             "t=," + v1,
             v1,                                 // no t
             "t=" + ts + "," + v1 + ",",         // an empty item
             "t=" + ts + ",," + v1,              // an empty item
             "t=" + ts + "," + v1 + ",t=" + ts,  // t twice
             "t=-" + ts + "," + v1,              // a sign
             "t=+" + ts + "," + v1,
             "t= " + ts + "," + v1,  // a space
             "t=" + ts + " ," + v1,
             "t=" + ts + "a," + v1,
             "t=0x10," + v1,
             "t=1.5," + v1,
             "t=9223372036854775808," + v1,            // INT64_MAX + 1
             "t=99999999999999999999999999999," + v1,  // far past it
             "T=" + ts + "," + v1,                     // keys are case-sensitive
             std::string("t=1700000000\0,", 14) + v1,  // a NUL inside t
         }) {
        EXPECT_EQ(verifyStripe(kPayload, header, {kSecret}, kNow), StripeVerdict::MalformedHeader) << header;
    }
    EXPECT_EQ(verifyStripe(kPayload, "t=" + ts, {kSecret}, kNow), StripeVerdict::NoV1Signature);
    EXPECT_EQ(verifyStripe(kPayload, "t=" + ts + ",v1x=ab,V1=" + v1.substr(3), {kSecret}, kNow),
              StripeVerdict::NoV1Signature);
}

TEST(StripeHostile, LongHeadersAndManySignaturesAreRefusedBeforeAnyHmac) {
    const auto header = signStripe(kPayload, kSecret, kNow);
    // 100 KB: a valid header padded with an item we would otherwise skip.
    const auto padded = header + ",v0=" + std::string(100 * 1024, 'a');
    EXPECT_EQ(verifyStripe(kPayload, padded, {kSecret}, kNow), StripeVerdict::MalformedHeader);
    EXPECT_EQ(verifyStripe(kPayload, std::string(100 * 1024, ','), {kSecret}, kNow), StripeVerdict::MalformedHeader);
    // Just at the bound it is still read.
    const auto pad = kMaxStripeHeaderBytes - header.size() - std::string(",v0=").size();
    EXPECT_EQ(verifyStripe(kPayload, header + ",v0=" + std::string(pad, 'a'), {kSecret}, kNow), StripeVerdict::Accepted);
    EXPECT_EQ(verifyStripe(kPayload, header + ",v0=" + std::string(pad + 1, 'a'), {kSecret}, kNow),
              StripeVerdict::MalformedHeader);

    // Thousands of v1 items (short ones, to fit the byte bound too) and the real one last.
    std::string many = "t=" + std::to_string(kNow);
    for (int i = 0; i < 3000; ++i) many += ",v1=0";
    EXPECT_EQ(verifyStripe(kPayload, many + header.substr(header.find(',')), {kSecret}, kNow),
              StripeVerdict::MalformedHeader);
    // A thousand empty ones fit the byte bound; the count bound refuses them.
    std::string thousand = "t=" + std::to_string(kNow);
    for (int i = 0; i < 1000; ++i) thousand += ",v1=";
    ASSERT_LE(thousand.size() + header.size(), kMaxStripeHeaderBytes);
    EXPECT_EQ(verifyStripe(kPayload, thousand + header.substr(header.find(',')), {kSecret}, kNow),
              StripeVerdict::MalformedHeader);
    // The bound on v1 items: kMaxStripeSignatures are read (the real one last), one more is refused.
    std::string bounded = "t=" + std::to_string(kNow);
    for (std::size_t i = 1; i < kMaxStripeSignatures; ++i) bounded += ",v1=" + std::string(64, 'f');
    EXPECT_EQ(verifyStripe(kPayload, bounded + header.substr(header.find(',')), {kSecret}, kNow),
              StripeVerdict::Accepted);
    EXPECT_EQ(verifyStripe(kPayload, bounded + ",v1=0" + header.substr(header.find(',')), {kSecret}, kNow),
              StripeVerdict::MalformedHeader);
}

TEST(StripeHostile, SignaturesThatAreNotTheHexOfTheHmacDoNotMatch) {
    const auto header = signStripe(kPayload, kSecret, kNow);
    const auto hex = header.substr(header.find("v1=") + 3);
    std::string upper = hex;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const auto ts = "t=" + std::to_string(kNow) + ",v1=";
    for (const std::string& v1 : std::vector<std::string>{
             "", "zz", std::string(64, 'g'), upper,  // stripe-python and -node compare the lower-case text
             hex.substr(0, 63), hex + "0", hex.substr(0, 32), "\xff\xfe" + hex.substr(2),
             std::string(hex.data(), 10) + std::string(1, '\0') + hex.substr(11)}) {
        EXPECT_EQ(verifyStripe(kPayload, ts + v1, {kSecret}, kNow), StripeVerdict::NoSignatureMatches) << v1;
    }
    // An empty secret would let anyone sign: it matches nothing, even its own signature.
    EXPECT_EQ(verifyStripe(kPayload, signStripe(kPayload, "", kNow), {""}, kNow), StripeVerdict::NoSignatureMatches);
    EXPECT_EQ(verifyStripe(kPayload, header, {"", kSecret}, kNow), StripeVerdict::Accepted);
}

TEST(RazorpayVectors, EveryCaseHasItsExpectedOutcome) {
    const auto doc = load("razorpay/razorpay_signature_cases.json");
    int checked = 0;
    for (const auto& c : doc["cases"]) {
        const std::string name = c["name"];
        // Webhooks sign the body; payment, subscription and payment-link callbacks sign the
        // '|'-joined ids, given in each case as "message".
        std::string signedBytes;
        if (c.contains("body_file")) {
            signedBytes = readBytes("razorpay/" + c["body_file"].get<std::string>());
            EXPECT_EQ(signedBytes.size(), 971u) << "the body file must stay byte-exact (its trailing newline too)";
        } else {
            signedBytes = c.contains("body") ? c["body"].get<std::string>() : c["message"].get<std::string>();
        }
        const std::string signature = c["signature"];
        const std::string secret = c["secret"];
        const bool valid = c["expected"] == "valid";
        EXPECT_EQ(verifyRazorpay(signedBytes, signature, secret), valid) << name;
        if (valid) {
            EXPECT_EQ(signRazorpay(signedBytes, secret), signature) << name;
        }
        ++checked;
    }
    EXPECT_EQ(checked, 8);
}

TEST(Razorpay, RefusesUpperCaseTruncatedTamperedAndUnkeyed) {
    const auto body = readBytes("razorpay/fake_payment_authorized_webhook.json");
    const auto signature = signRazorpay(body, "key_secret");
    ASSERT_TRUE(verifyRazorpay(body, signature, "key_secret"));
    std::string upper = signature;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_FALSE(verifyRazorpay(body, upper, "key_secret")) << "razorpay-python and -node compare lower-case text";
    EXPECT_FALSE(verifyRazorpay(body, signature.substr(0, 63), "key_secret"));
    EXPECT_FALSE(verifyRazorpay(body, signature + "0", "key_secret"));
    EXPECT_FALSE(verifyRazorpay(body, "", "key_secret"));
    EXPECT_FALSE(verifyRazorpay(body.substr(0, body.size() - 1), signature, "key_secret")) << "the trailing newline";
    EXPECT_FALSE(verifyRazorpay(body, signature, "key_secreT"));
    EXPECT_FALSE(verifyRazorpay(body, signRazorpay(body, ""), "")) << "an empty secret matches nothing";
    EXPECT_FALSE(verifyRazorpay(body, std::string(100 * 1024, 'a'), "key_secret"));
}

}  // namespace
}  // namespace lms::webhook
