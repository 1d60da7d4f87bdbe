// Registration against a real PostgreSQL: email uniqueness under concurrency through the
// reservation row, and personal fields that never reach the store in clear.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api/identity/registration.hpp"
#include "common/password.hpp"
#include "domain/identity/user.hpp"
#include "eventstore/command_loop.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/personal_data.hpp"
#include "tests/support/lms_env.hpp"
#include "tests/support/pg_fixture.hpp"

namespace lms {
namespace {

TEST(Registration, HundredConcurrentRegistrationsOfOneEmailGiveExactlyOneAccount) {
    test::TestDatabase db;
    std::atomic<int> created{0}, taken{0}, other{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < 10; ++t) {
        ts.emplace_back([&, t] {
            pg::Connection c(db.url());
            for (int i = 0; i < 10; ++i) {
                // The same address, spelled differently: uniqueness is on the normalised form.
                const std::string email = (t + i) % 2 ? "Race@Example.com" : " race@example.COM";
                auto r = api::identity::registerUser(c, {email, "a long passphrase", "Race", "Condition"},
                                                     {"", "req-" + std::to_string(t), ""}, 1, test::kCheapPasswordCost);
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

TEST(Registration, PersonalFieldsAreSealedInTheStoreAndOpenForTheDecider) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    auto r = api::identity::registerUser(c, {"Ada@Example.org", "analytical engine", "Ada", "Lovelace", "INSTRUCTOR"},
                                         {"", "req-1", ""}, 42, test::kCheapPasswordCost);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->email, "ada@example.org");
    const auto everything = c.exec("SELECT string_agg(data::text || metadata::text, '') FROM lms_events").str(0, 0);
    EXPECT_EQ(everything.find("ada@"), std::string::npos) << everything;
    EXPECT_EQ(everything.find("Lovelace"), std::string::npos);
    EXPECT_NE(everything.find("INSTRUCTOR"), std::string::npos) << "only personal fields are sealed";

    const std::string stream = "user-" + r->userId;
    eventstore::CommandOptions opts;
    opts.decode = [&c](const std::string& s, domain::DomainEvent e) {
        return api::identity::openPersonalFields(c, s, std::move(e));
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
    auto weak = api::identity::registerUser(c, {"a@b.co", "password1", "A", "B"}, {}, 1, test::kCheapPasswordCost);
    ASSERT_FALSE(weak.has_value());
    EXPECT_EQ(weak.error().field, "password");
    auto admin = api::identity::registerUser(c, {"a@b.co", "long enough pass", "A", "B", "ADMIN"}, {}, 1, test::kCheapPasswordCost);
    ASSERT_FALSE(admin.has_value());
    EXPECT_EQ(admin.error().errors.at(0).field, "role");
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_events").i64(0, 0), 0);
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_reservations").i64(0, 0), 0);
}

}  // namespace
}  // namespace lms
