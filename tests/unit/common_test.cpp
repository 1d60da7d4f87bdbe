// The shared utilities: ids, hashing, time, configuration. No I/O.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>

#include "common/config.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
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

}  // namespace lms
