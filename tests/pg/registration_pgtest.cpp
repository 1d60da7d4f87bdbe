// Registration against a real PostgreSQL: email uniqueness under concurrency through the
// reservation row, and personal fields that never reach the store in clear.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "api/identity/commands.hpp"
#include "common/clock.hpp"
#include "common/password.hpp"
#include "common/sha256.hpp"
#include "domain/identity/user.hpp"
#include "eventstore/command_loop.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/personal_data.hpp"
#include "projections/identity/projection.hpp"
#include "projections/identity/queries.hpp"
#include "projections/runner.hpp"
#include "tests/support/lms_env.hpp"
#include "tests/support/pg_fixture.hpp"

namespace lms {
namespace {

// Use cases with a cheap Argon2id and a clock that stands still.
struct Identity {
    Identity() {
        settings.cost = test::kCheapPasswordCost;
        settings.secret = "registration-pgtest-secret-0123456789abcdef";
    }
    identity::Commands on(pg::Connection& c) const { return identity::Commands(c, clock, settings); }
    ManualClock clock{1'795'000'000'000'000};
    identity::Settings settings;
};

TEST(Registration, HundredConcurrentRegistrationsOfOneEmailGiveExactlyOneAccount) {
    test::TestDatabase db;
    std::atomic<int> created{0}, taken{0}, other{0};
    std::vector<std::thread> ts;
    const Identity identity;
    for (int t = 0; t < 10; ++t) {
        ts.emplace_back([&, t] {
            pg::Connection c(db.url());
            for (int i = 0; i < 10; ++i) {
                // The same address, spelled differently: uniqueness is on the normalised form.
                const std::string email = (t + i) % 2 ? "Race@Example.com" : " race@example.COM";
                auto r = identity.on(c).registerUser({email, "a long passphrase", "Race", "Condition"},
                                                     {"", "req-" + std::to_string(t), ""});
                if (r.has_value()) created.fetch_add(1);
                else if (r.error().code == "email_taken") taken.fetch_add(1);
                else other.fetch_add(1);
            }
        });
    }
    for (auto& t : ts) t.join();
    EXPECT_EQ(created.load(), 1);
    EXPECT_EQ(taken.load(), 99);
    EXPECT_EQ(other.load(), 0);
    pg::Connection c(db.url());
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_events WHERE event_type = 'UserRegistered'").i64(0, 0), 1);
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_reservations").i64(0, 0), 1);
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_subject_keys").i64(0, 0), 1) << "losers leave no data keys behind";
}

TEST(Registration, ReservationsMadeAsABareHashStillHoldTheirAddressAndAreReKeyed) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    projections::identity::Identity readModel;
    projections::ensure(c, readModel);
    const Identity identity;
    auto alice = identity.on(c).registerUser({"alice@example.com", "a long passphrase", "Alice", "L"}, {"", "r1", ""});
    ASSERT_TRUE(alice.has_value());
    const std::string owner = domain::identity::userStream(alice->userId);
    EXPECT_EQ(c.query("SELECT value_hash FROM lms_reservations WHERE owner = $1", {owner}).str(0, 0),
              identity::emailReservation(identity.settings.secret, "alice@example.com"));
    // As it was stored before reservations were keyed.
    c.query("UPDATE lms_reservations SET scope = 'email', value_hash = $2 WHERE owner = $1",
            {owner, sha256Hex("alice@example.com")});
    // And one whose owner the read model does not know.
    c.query("INSERT INTO lms_reservations (scope, value_hash, owner) VALUES ('email', $1, 'user-unknown')",
            {sha256Hex("ghost@example.com")});
    auto again = identity.on(c).registerUser({"Alice@Example.com", "a long passphrase", "A", "L"}, {"", "r2", ""});
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, "email_taken") << "an unkeyed reservation still holds its address";
    EXPECT_FALSE(identity.on(c).registerUser({"ghost@example.com", "a long passphrase", "G", "H"}, {"", "r3", ""}));

    EXPECT_EQ(identity.on(c).rekeyEmailReservations(), 1);
    EXPECT_EQ(identity.on(c).rekeyEmailReservations(), 0) << "idempotent";
    const auto rows = c.query("SELECT scope, value_hash FROM lms_reservations WHERE owner = $1", {owner});
    ASSERT_EQ(rows.rows(), 1);
    EXPECT_EQ(rows.str(0, 0), "email-hmac");
    EXPECT_EQ(rows.str(0, 1), identity::emailReservation(identity.settings.secret, "alice@example.com"));
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_reservations WHERE scope = 'email'").i64(0, 0), 1)
        << "the unknown owner's row waits for the read model";
    auto third = identity.on(c).registerUser({"alice@example.com", "a long passphrase", "A", "L"}, {"", "r4", ""});
    ASSERT_FALSE(third.has_value());
    EXPECT_EQ(third.error().code, "email_taken");
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_events WHERE event_type = 'UserRegistered'").i64(0, 0), 1);
}

TEST(Registration, PersonalFieldsAreSealedInTheStoreAndOpenForTheDecider) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    const Identity identity;
    auto r = identity.on(c).registerUser({"Ada@Example.org", "analytical engine", "Ada", "Lovelace", "INSTRUCTOR"},
                                         {"", "req-1", ""});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->email, "ada@example.org");
    const auto everything = c.exec("SELECT string_agg(data::text || metadata::text, '') FROM lms_events").str(0, 0);
    EXPECT_EQ(everything.find("ada@"), std::string::npos) << everything;
    EXPECT_EQ(everything.find("Lovelace"), std::string::npos);
    EXPECT_NE(everything.find("INSTRUCTOR"), std::string::npos) << "only personal fields are sealed";

    const std::string stream = domain::identity::userStream(r->userId);
    eventstore::CommandOptions opts;
    opts.decode = [&c](const std::string& s, domain::DomainEvent e) {
        return eventstore::PersonalData(c).openFields(s, std::move(e), domain::identity::kPersonalFields);
    };
    eventstore::EventStore st(c);
    auto state = eventstore::fold<domain::identity::User>(st.readStream(stream), opts);
    EXPECT_EQ(state.email, "ada@example.org");
    EXPECT_EQ(state.lastName, "Lovelace");
    EXPECT_TRUE(password::verify(state.passwordHash, "analytical engine"));

    eventstore::PersonalData(c).shred(stream);
    state = eventstore::fold<domain::identity::User>(st.readStream(stream), opts);
    EXPECT_TRUE(state.email.empty());
    EXPECT_TRUE(state.lastName.empty());
    EXPECT_TRUE(state.exists) << "the history stays; only what identified the person is gone";
}

TEST(Registration, RefusesWeakPasswordsAndInvalidFieldsBeforeWritingAnything) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    const Identity identity;
    auto weak = identity.on(c).registerUser({"a@b.co", "password1", "A", "B"}, {});
    ASSERT_FALSE(weak.has_value());
    EXPECT_EQ(weak.error().field, "password");
    auto admin = identity.on(c).registerUser({"a@b.co", "long enough pass", "A", "B", "ADMIN"}, {});
    ASSERT_FALSE(admin.has_value());
    EXPECT_EQ(admin.error().errors.at(0).field, "role");
    // Three mistakes, one answer naming all three (a form learns them in one round trip).
    auto three = identity.on(c).registerUser({"x", "a", "", "B"}, {});
    ASSERT_FALSE(three.has_value());
    std::vector<std::string> fields;
    for (const auto& e : three.error().errors) fields.push_back(e.field);
    std::sort(fields.begin(), fields.end());
    EXPECT_EQ(fields, (std::vector<std::string>{"email", "firstName", "password"}));
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_events").i64(0, 0), 0);
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_reservations").i64(0, 0), 0);
}

// The race that made the erasure test flaky: a projection runner that read (and opened) the
// registration before the erasure committed writes it after. The erased user's row is a
// tombstone at the erasure's version, so the late write changes nothing.
TEST(Registration, AnErasedUserCannotBeBroughtBackByALateRegistrationWrite) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    projections::identity::Identity readModel;
    projections::ensure(c, readModel);
    const Identity identity;
    auto r = identity.on(c).registerUser({"late@example.org", "a long passphrase", "Late", "Writer"}, {});
    ASSERT_TRUE(r.has_value());
    const std::string stream = domain::identity::userStream(r->userId);
    auto registered = eventstore::EventStore(c).readStream(stream).front();
    // What the runner held: the event with its personal fields already opened.
    auto opened = eventstore::PersonalData(c).openFields(
        stream, {registered.type, registered.schemaVersion, nlohmann::json::parse(registered.data)},
        domain::identity::kPersonalFields);
    registered.data = opened.data.dump();
    ASSERT_NE(registered.data.find("late@example.org"), std::string::npos);

    ASSERT_TRUE(identity.on(c).erase(r->userId, {}).has_value());
    {
        pg::Transaction tx(c);
        projections::applyInline(c, readModel, {registered});
        tx.commit();
    }
    const auto row = c.query("SELECT status, email FROM lms_rm.users WHERE user_id = $1::uuid", {r->userId.value()});
    ASSERT_EQ(row.rows(), 1);
    EXPECT_EQ(row.str(0, 0), "DELETED");
    EXPECT_TRUE(row.isNull(0, 1));
    EXPECT_FALSE(projections::identity::findUserByEmail(c, "late@example.org").has_value());
}

}  // namespace
}  // namespace lms
