// The shared utilities: ids, hashing, time, configuration. No I/O.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "common/aead.hpp"
#include "common/config.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/secure.hpp"
#include "common/sha256.hpp"
#include "common/time.hpp"

namespace lms {

TEST(Ids, UuidV7IsWellFormedUniqueAndTimeOrdered) {
    std::set<std::string> seen;
    std::string prev;
    for (int i = 0; i < 1000; ++i) {
        auto id = newUuid();
        EXPECT_TRUE(isUuid(id)) << id;
        EXPECT_EQ(id[14], '7');
        EXPECT_TRUE(seen.insert(id).second);
        EXPECT_GE(id.substr(0, 13), prev.substr(0, std::min<std::size_t>(13, prev.size())));
        prev = id;
    }
    EXPECT_FALSE(isUuid("not-a-uuid"));
}

TEST(Log, WhatAClientSendsCannotDriveTheTerminalOrForgeALine) {
    EXPECT_EQ(log::printable("GET /api/v1/\x1b[31mred\r\nINFO forged"), "GET /api/v1/\\x1b[31mred\\x0d\\x0aINFO forged");
    EXPECT_EQ(log::printable("caf\xc3\xa9 \xff\xfe"), "caf\xc3\xa9 \\xff\\xfe");  // UTF-8 stays, the rest is escaped
    EXPECT_EQ(log::printable(std::string("a\0b", 3)), "a\\x00b");
    EXPECT_EQ(log::printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a UTF-16 surrogate is not UTF-8
}

TEST(Sha256, MatchesFips180Vector) {
    // FIPS 180-2 appendix B.1: "abc"
    EXPECT_EQ(toHex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Time, FormatsAndParsesRfc3339) {
    EXPECT_EQ(formatTimestampUs(0), "1970-01-01T00:00:00.000000Z");
    EXPECT_EQ(formatTimestampUs(1795000000123456), "2026-11-18T11:06:40.123456Z");
    std::int64_t us = 0;
    ASSERT_TRUE(parseTimestampUs("2026-11-18T11:06:40.123456Z", us));
    EXPECT_EQ(us, 1795000000123456);
    ASSERT_TRUE(parseTimestampUs("2026-11-18T12:06:40+01:00", us));
    EXPECT_EQ(us, 1795000000000000);
    ASSERT_TRUE(parseTimestampUs("1970-01-02", us));
    EXPECT_EQ(us, 86400000000);
    EXPECT_FALSE(parseTimestampUs("yesterday", us));
    EXPECT_FALSE(parseTimestampUs("2026-13-01T00:00:00Z", us));
}

TEST(Config, DefaultsAndOneClearLinePerBadVariable) {
    ::unsetenv("LMS_HTTP_PORT");
    ::unsetenv("LMS_LOG_FORMAT");
    auto c = Config::fromEnvironment();
    EXPECT_EQ(c.httpPort, 8080);
    EXPECT_TRUE(c.kafkaBrokers.empty() || std::getenv("LMS_KAFKA_BROKERS") != nullptr);
    ::setenv("LMS_HTTP_PORT", "eighty", 1);
    try {
        (void)Config::fromEnvironment();
        FAIL() << "a bad port was accepted";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("LMS_HTTP_PORT"), std::string::npos);
    }
    ::unsetenv("LMS_HTTP_PORT");
    ::setenv("LMS_LOG_FORMAT", "xml", 1);
    EXPECT_THROW((void)Config::fromEnvironment(), ConfigError);
    ::unsetenv("LMS_LOG_FORMAT");
}

// LMS_MASTER_KEY is a 256-bit key in hex; anything else stops lms at start with a line naming
// the variable, and the line never repeats the value (it may be a mistyped secret).
TEST(Config, MasterKeyIs64HexCharactersAndABadOneIsRefusedWithoutEchoingIt) {
    const std::string good(64, 'a');
    ::setenv("LMS_MASTER_KEY", (std::string(32, 'A') + std::string(32, '0')).c_str(), 1);
    ::setenv("LMS_MASTER_KEY_PREVIOUS", (" " + good + " , " + std::string(64, 'b') + ",").c_str(), 1);
    const auto c = Config::fromEnvironment();
    EXPECT_EQ(c.masterKey, std::string(32, 'a') + std::string(32, '0')) << "normalised to lower case";
    EXPECT_EQ(c.masterKeyPrevious, (std::vector<std::string>{good, std::string(64, 'b')}));
    ::unsetenv("LMS_MASTER_KEY_PREVIOUS");
    for (const std::string& bad :
         std::vector<std::string>{"s3cr3t-passphrase", std::string(63, 'a'), std::string(65, 'a'),
                                  std::string(63, 'a') + "g", std::string(32, 'a') + " " + std::string(31, 'a')}) {
        ::setenv("LMS_MASTER_KEY", bad.c_str(), 1);
        try {
            (void)Config::fromEnvironment();
            ADD_FAILURE() << "accepted " << bad;
        } catch (const ConfigError& e) {
            const std::string m = e.what();
            EXPECT_EQ(m.rfind("LMS_MASTER_KEY must be 64 hex characters", 0), 0u) << m;
            EXPECT_EQ(m.find(bad), std::string::npos) << m;
        }
    }
    ::setenv("LMS_MASTER_KEY", good.c_str(), 1);
    ::setenv("LMS_MASTER_KEY_PREVIOUS", (good + ",not-a-key").c_str(), 1);
    try {
        (void)Config::fromEnvironment();
        ADD_FAILURE() << "accepted a bad previous key";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()).rfind("LMS_MASTER_KEY_PREVIOUS must be 64 hex characters", 0), 0u) << e.what();
    }
    ::unsetenv("LMS_MASTER_KEY");
    ::unsetenv("LMS_MASTER_KEY_PREVIOUS");
    EXPECT_TRUE(Config::fromEnvironment().masterKey.empty()) << "unset: generated into the data directory";
}

// Stored files: the folder unless an S3 endpoint or bucket is set; then a bucket and the keys are
// needed, and the endpoint defaults to AWS's for the region.
TEST(Config, ObjectStorageIsTheFolderUnlessABucketIsConfigured) {
    for (const char* name :
         {"LMS_S3_ENDPOINT", "LMS_S3_BUCKET", "LMS_S3_REGION", "LMS_S3_ACCESS_KEY_ID", "LMS_S3_SECRET_ACCESS_KEY",
          "LMS_S3_SESSION_TOKEN", "LMS_S3_PATH_STYLE", "LMS_FILE_LINK_TTL_S"}) {
        ::unsetenv(name);
    }
    auto c = Config::fromEnvironment();
    EXPECT_TRUE(c.s3Endpoint.empty());
    EXPECT_TRUE(c.s3Bucket.empty());
    EXPECT_EQ(c.s3Region, "us-east-1");
    EXPECT_TRUE(c.s3PathStyle);
    EXPECT_EQ(c.fileLinkTtlS, 3600);

    ::setenv("LMS_S3_BUCKET", "certs", 1);
    ::setenv("LMS_S3_REGION", "eu-west-2", 1);
    EXPECT_THROW((void)Config::fromEnvironment(), ConfigError) << "a bucket without credentials";
    ::setenv("LMS_S3_ACCESS_KEY_ID", "AKID", 1);
    ::setenv("LMS_S3_SECRET_ACCESS_KEY", "secret", 1);
    ::setenv("LMS_S3_PATH_STYLE", "0", 1);
    c = Config::fromEnvironment();
    EXPECT_EQ(c.s3Endpoint, "https://s3.eu-west-2.amazonaws.com");
    EXPECT_FALSE(c.s3PathStyle);
    ::setenv("LMS_S3_ENDPOINT", "http://127.0.0.1:9000/", 1);
    EXPECT_EQ(Config::fromEnvironment().s3Endpoint, "http://127.0.0.1:9000");
    ::setenv("LMS_S3_ENDPOINT", "127.0.0.1:9000", 1);
    EXPECT_THROW((void)Config::fromEnvironment(), ConfigError);
    ::unsetenv("LMS_S3_BUCKET");
    ::setenv("LMS_S3_ENDPOINT", "http://127.0.0.1:9000", 1);
    EXPECT_THROW((void)Config::fromEnvironment(), ConfigError) << "an endpoint without a bucket";
    ::unsetenv("LMS_S3_ENDPOINT");
    ::setenv("LMS_FILE_LINK_TTL_S", "604801", 1);
    EXPECT_THROW((void)Config::fromEnvironment(), ConfigError) << "longer than S3's seven days";
    for (const char* name : {"LMS_S3_REGION", "LMS_S3_ACCESS_KEY_ID", "LMS_S3_SECRET_ACCESS_KEY", "LMS_S3_PATH_STYLE",
                             "LMS_FILE_LINK_TTL_S"}) {
        ::unsetenv(name);
    }
}

TEST(Hex, DecodesWhatToHexPrintsAndRefusesTheRest) {
    EXPECT_EQ(fromHex(toHex(std::string("\x00\x7f\xff", 3))), std::string("\x00\x7f\xff", 3));
    EXPECT_EQ(fromHex("ABcd"), std::string("\xab\xcd"));
    EXPECT_FALSE(fromHex("abc").has_value());
    EXPECT_FALSE(fromHex("zz").has_value());
}

TEST(Aead, OpensOnlyWithTheSameKeyAndAssociatedData) {
    const std::string key = randomBytes(aead::kKeyBytes);
    const auto sealed = aead::seal(key, "user-1", "Ada");
    EXPECT_EQ(sealed.size(), aead::kNonceBytes + 3 + aead::kTagBytes);
    EXPECT_NE(aead::seal(key, "user-1", "Ada"), sealed) << "a fresh nonce each time";
    EXPECT_EQ(aead::open(key, "user-1", sealed), "Ada");
    EXPECT_FALSE(aead::open(key, "user-2", sealed).has_value());
    EXPECT_FALSE(aead::open(randomBytes(aead::kKeyBytes), "user-1", sealed).has_value());
    std::string changed = sealed;
    changed[aead::kNonceBytes] ^= 1;
    EXPECT_FALSE(aead::open(key, "user-1", changed).has_value());
    EXPECT_FALSE(aead::open(key, "user-1", sealed.substr(0, 20)).has_value());
    EXPECT_EQ(aead::open(key, "", aead::seal(key, "", "")), "");
}

}  // namespace lms
