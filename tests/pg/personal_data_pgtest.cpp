// Crypto-shredding against a real PostgreSQL: sealed fields are unreadable in the store, open
// with the subject's key, and are gone for good once the key is shredded.
#include <gtest/gtest.h>

#include "common/ids.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/personal_data.hpp"
#include "tests/support/pg_fixture.hpp"

namespace lms {
namespace {

TEST(PersonalData, SealedInTheStoreOpenUntilShreddedAndGoneAfter) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    eventstore::PersonalData pd(c);
    const std::string subject = "user-" + newUuid();
    const std::string email = "alice.liddell@example.com";
    const auto sealed = pd.seal(subject, email);
    EXPECT_TRUE(eventstore::PersonalData::isSealed(sealed));
    EXPECT_EQ(sealed.find("alice"), std::string::npos);
    EXPECT_NE(pd.seal(subject, email), sealed) << "a fresh nonce each time";
    EXPECT_EQ(pd.open(subject, sealed), email);
    EXPECT_FALSE(pd.open("user-someone-else", sealed).has_value()) << "bound to its subject";

    eventstore::EventStore st(c);
    const nlohmann::json data{{"email", sealed}, {"role", "STUDENT"}};
    ASSERT_TRUE(st.append(subject, eventstore::ExpectedVersion::noStream(),
                          {eventstore::NewEvent{newUuid(), "UserRegistered", 1, data.dump(), "{}"}})
                    .has_value());
    const auto dump = c.exec("SELECT string_agg(data::text, '') FROM lms_events").str(0, 0);
    EXPECT_EQ(dump.find("alice"), std::string::npos);

    std::string tampered = sealed;
    tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(pd.open(subject, tampered).has_value());

    {
        pg::Transaction tx(c);
        pd.shred(subject);
        tx.commit();
    }
    const auto stored = nlohmann::json::parse(st.readStream(subject)[0].data)["email"].get<std::string>();
    EXPECT_FALSE(pd.open(subject, stored).has_value());
    EXPECT_TRUE(c.exec("SELECT data_key IS NULL AND shredded_at IS NOT NULL FROM lms_subject_keys").boolean(0, 0));
    EXPECT_THROW(pd.seal(subject, "again@example.com"), std::runtime_error);
}

TEST(PersonalData, AShredRolledBackKeepsTheKey) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    eventstore::PersonalData pd(c);
    const auto sealed = pd.seal("user-1", "Bob");
    {
        pg::Transaction tx(c);
        pd.shred("user-1");
    }  // rolled back: the erasure did not happen
    EXPECT_EQ(pd.open("user-1", sealed), "Bob");
}

}  // namespace
}  // namespace lms
