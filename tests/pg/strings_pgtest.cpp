// What the PostgreSQL wrapper does with strings: every connection speaks UTF-8 whatever the
// environment or the role says, and a NUL is refused loudly instead of cutting the value short
// (libpq reads text parameters as C strings). Issue "accounts and secrets": the NUL address race.
#include <gtest/gtest.h>

#include <cstdlib>

#include "eventstore/pg.hpp"
#include "tests/support/pg_fixture.hpp"

namespace lms {
namespace {

TEST(PgStrings, TheConnectionIsUtf8WhateverTheEnvironmentSays) {
    test::TestDatabase db;
    ::setenv("PGCLIENTENCODING", "LATIN1", 1);
    pg::Connection c(db.url());
    ::unsetenv("PGCLIENTENCODING");
    EXPECT_EQ(c.query("SHOW client_encoding").str(0, 0), "UTF8");
    const std::string cafe = "caf\xc3\xa9";
    const auto r = c.query("SELECT $1::text, length($1::text), octet_length($1::text)", {cafe});
    EXPECT_EQ(r.str(0, 0), cafe) << "stored as it was sent, not re-encoded";
    EXPECT_EQ(r.i64(0, 1), 4);
    EXPECT_EQ(r.i64(0, 2), 5);
}

TEST(PgStrings, ANulInAParameterIsRefusedNotCutShort) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    const std::string withNul("victim@example.org\0x", 20);
    try {
        c.query("SELECT $1::text", {withNul});
        FAIL() << "a parameter with a NUL reached PostgreSQL";
    } catch (const pg::Error& e) {
        EXPECT_EQ(e.sqlstate(), "22021");
        EXPECT_NE(std::string(e.what()).find("NUL"), std::string::npos) << e.what();
    }
    EXPECT_EQ(c.query("SELECT 1").i64(0, 0), 1) << "the connection is still usable";
}

}  // namespace
}  // namespace lms
