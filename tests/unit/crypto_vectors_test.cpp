// Password hashing and tokens against published vectors (tests/vectors, with their sources).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/ed25519.hpp"
#include "common/jwt.hpp"
#include "common/password.hpp"
#include "common/sha256.hpp"

namespace lms {
namespace {

nlohmann::json load(const std::string& relative) {
    std::ifstream in(std::string(LMS_VECTORS_DIR) + "/" + relative);
    EXPECT_TRUE(in.good()) << relative;
    return nlohmann::json::parse(in);
}

std::string fromHex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

TEST(Argon2, Rfc9106Argon2idVectorWithSecretAndAssociatedData) {
    const auto doc = load("argon2/argon2_rfc9106.json");  // a named value: a temporary dies before the loop
    for (const auto& c : doc["cases"]) {
        if (c["type"] != "argon2id") continue;
        const auto tag = password::rawTag(password::Variant::Argon2id, c["version"], c["passes"], c["memory_kib"],
                                          c["parallelism"], fromHex(c["password_hex"]), fromHex(c["salt_hex"]),
                                          fromHex(c["secret_hex"]), fromHex(c["associated_data_hex"]), c["tag_length"]);
        EXPECT_EQ(toHex(tag), c["tag_hex"]);
    }
}

TEST(Argon2, ReferenceImplementationArgon2idCasesEncodeAndVerify) {
    int checked = 0;
    const auto doc = load("argon2/phc_reference_test_c_vectors.json");
    for (const auto& c : doc["hash_cases"]) {
        if (c["type"] != "argon2id" || c["requires_TEST_LARGE_RAM"].get<bool>()) continue;
        const std::string encoded = c["encoded"];
        EXPECT_EQ(password::encodeWithSalt(password::Variant::Argon2id, c["version"], c["t_cost"], c["m_cost_kib"],
                                           c["parallelism"], c["password"], c["salt"], c["tag_length"]),
                  encoded);
        EXPECT_TRUE(password::verify(encoded, c["password"]));
        EXPECT_FALSE(password::verify(encoded, std::string(c["password"]) + "x"));
        ++checked;
    }
    EXPECT_EQ(checked, 8);
}

TEST(Argon2, MalformedEncodingsNeverVerify) {
    int checked = 0;
    const auto doc = load("argon2/phc_reference_test_c_vectors.json");
    for (const auto& c : doc["verify_error_cases"]) {
        if (!c.contains("encoded")) continue;  // raw argon2_hash() calls with bad parameters, not encodings
        EXPECT_FALSE(password::verify(c["encoded"], c["password"])) << c.value("note", "");
        ++checked;
    }
    EXPECT_GT(checked, 0);
    EXPECT_FALSE(password::verify("", "password"));
    EXPECT_FALSE(password::verify("$bcrypt$whatever", "password"));
}

TEST(Argon2, HashesWithOwaspCostAndFreshSalt) {
    const auto a = password::hash("correct horse battery staple");
    const auto b = password::hash("correct horse battery staple");
    EXPECT_EQ(a.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << a;
    EXPECT_NE(a, b) << "salts must differ";
    EXPECT_TRUE(password::verify(a, "correct horse battery staple"));
    EXPECT_FALSE(password::verify(a, "correct horse battery stapl"));
    EXPECT_FALSE(password::needsRehash(a));
    EXPECT_TRUE(
        password::needsRehash("$argon2id$v=19$m=4096,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"));
}

TEST(Ed25519, Rfc8032Section71VectorsAndDerivedNegativeCases) {
    int signedCases = 0;
    int refused = 0;
    const auto doc = load("ed25519/rfc8032_ed25519.json");
    for (const auto& c : doc["cases"]) {
        const auto pub = fromHex(c["public_key_hex"].get<std::string>());
        const auto message = fromHex(c["message_hex"].get<std::string>());
        const auto signature = fromHex(c["signature_hex"].get<std::string>());
        if (c.contains("secret_key_hex")) {
            const Ed25519Key key(fromHex(c["secret_key_hex"].get<std::string>()));
            EXPECT_EQ(toHex(key.publicKey()), c["public_key_hex"].get<std::string>()) << c["name"];
            EXPECT_EQ(toHex(key.sign(message)), c["signature_hex"].get<std::string>()) << c["name"];
            ++signedCases;
        }
        const bool valid = !c.contains("expected") || c["expected"] == "valid";
        EXPECT_EQ(ed25519Verify(pub, message, signature), valid) << c["name"];
        if (!valid) ++refused;
    }
    EXPECT_EQ(signedCases, 4);
    EXPECT_EQ(refused, 2);
    EXPECT_THROW(Ed25519Key(std::string(31, 'x')), std::invalid_argument);
    EXPECT_FALSE(ed25519Verify(std::string(31, 'x'), "m", std::string(64, 's')));
}

TEST(Ed25519, JwkCarriesThePublicKeyAndItsRfc7638Thumbprint) {
    // RFC 8037 Appendix A.1-A.3: the key of RFC 8032 TEST 1 and its thumbprint.
    const Ed25519Key key(fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    const auto jwk = key.jwk();
    EXPECT_EQ(jwk["kty"], "OKP");
    EXPECT_EQ(jwk["crv"], "Ed25519");
    EXPECT_EQ(jwk["x"], "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    EXPECT_EQ(jwk["kid"], "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
}

TEST(Jwt, Rfc7515AppendixA1AndDerivedNegativeCases) {
    int checked = 0;
    const auto doc = load("jwt/jwt_hs256_rfc7515_rfc7519.json");
    for (const auto& c : doc["cases"]) {
        const auto key = jwt::base64UrlDecode(c["key_b64url"].get<std::string>());
        ASSERT_TRUE(key.has_value());
        const auto r = jwt::verifyHs256(c["compact"].get<std::string>(), *key);  // no clock: exp is in 2011
        if (c["expected"] == "valid") {
            ASSERT_TRUE(r.has_value()) << c["name"];
            EXPECT_EQ((*r)["iss"], "joe");
            EXPECT_EQ((*r)["exp"], 1300819380);
            EXPECT_EQ((*r)["http://example.com/is_root"], true);
            // With a clock after exp the same token is expired.
            auto later = jwt::verifyHs256(c["compact"].get<std::string>(), *key, {1300819381, "", "", 0});
            ASSERT_FALSE(later.has_value());
            EXPECT_EQ(later.error(), jwt::Failure::Expired);
        } else {
            ASSERT_FALSE(r.has_value()) << c["name"];
            EXPECT_EQ(r.error(), jwt::Failure::BadSignature) << c["name"];
        }
        ++checked;
    }
    EXPECT_GE(checked, 4);
    const auto key =
        *jwt::base64UrlDecode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
    EXPECT_EQ(
        toHex(key),
        "0323354b2b0fa5bc837e0665777ba68f5ab328e6f054c928a90f84b2d2502ebfd3fb5a92d20647ef968ab4c377623d223d2e2172052e4f08c0cd9af567d080a3");
}

TEST(Jwt, SignsAndChecksIssuerAudienceAndTime) {
    const std::string key(32, 'k');
    const auto token = jwt::signHs256({{"sub", "u1"}, {"iss", "lms"}, {"aud", "lms-api"}, {"iat", 1000}, {"exp", 1900}},
                                      key);
    auto ok = jwt::verifyHs256(token, key, {1500, "lms", "lms-api", 0});
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ((*ok)["sub"], "u1");
    EXPECT_EQ(jwt::verifyHs256(token, key, {1500, "other", "", 0}).error(), jwt::Failure::WrongIssuer);
    EXPECT_EQ(jwt::verifyHs256(token, key, {1500, "", "other", 0}).error(), jwt::Failure::WrongAudience);
    EXPECT_EQ(jwt::verifyHs256(token, key, {1900, "", "", 0}).error(), jwt::Failure::Expired);
    EXPECT_EQ(jwt::verifyHs256(token, std::string(32, 'x')).error(), jwt::Failure::BadSignature);
    // "alg":"none" with an empty signature is refused, whatever the payload says.
    const std::string none = jwt::base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." +
                             jwt::base64UrlEncode(R"({"sub":"admin"})") + ".";
    EXPECT_EQ(jwt::verifyHs256(none, key).error(), jwt::Failure::UnsupportedAlgorithm);
    for (const char* bad : {"", "a.b", "a.b.c.d", "!!!.e30.e30", "e30.e30.e30"}) {
        EXPECT_FALSE(jwt::verifyHs256(bad, key).has_value()) << bad;
    }
}

TEST(Base64Url, RoundTripsAndRejectsNonCanonicalText) {
    for (const std::string& s :
         std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)}) {
        EXPECT_EQ(jwt::base64UrlDecode(jwt::base64UrlEncode(s)), s);
    }
    EXPECT_EQ(jwt::base64UrlEncode("foobar"), "Zm9vYmFy");  // RFC 4648 section 10
    EXPECT_FALSE(jwt::base64UrlDecode("Zm9vYmF=").has_value());
    EXPECT_FALSE(jwt::base64UrlDecode("Zh").has_value());  // trailing bits set
}

}  // namespace
}  // namespace lms
