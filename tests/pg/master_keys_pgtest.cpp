// Data keys wrapped by a master key, against a real PostgreSQL: never stored in clear, a shredded
// key from a backup opens only with the master key, keys stored in clear before migration 0006
// keep working and get wrapped, and a rotation re-wraps every live key under the new master key.
#include <gtest/gtest.h>

#include "common/ids.hpp"
#include "common/secure.hpp"
#include "common/sha256.hpp"
#include "eventstore/key_rotation.hpp"
#include "eventstore/personal_data.hpp"
#include "tests/support/lms_env.hpp"
#include "tests/support/master_keys.hpp"
#include "tests/support/pg_fixture.hpp"

namespace lms {
namespace {

struct StoredKey {
    std::optional<std::string> bytes;  // data_key; nothing once shredded
    std::optional<std::string> kekId;
};

StoredKey stored(pg::Connection& c, const std::string& subject) {
    const auto r = c.query("SELECT data_key, kek_id FROM lms_subject_keys WHERE subject_id = $1", {subject});
    if (r.rows() == 0) return {};
    return {r.isNull(0, 0) ? std::nullopt : std::optional(r.bytea(0, 0)),
            r.isNull(0, 1) ? std::nullopt : std::optional(r.str(0, 1))};
}

void put(pg::Connection& c, const std::string& subject, const std::string& bytes, const pg::Param& kekId) {
    c.query(
        "INSERT INTO lms_subject_keys (subject_id, data_key, kek_id) VALUES ($1, decode($2, 'hex'), $3) "
        "ON CONFLICT (subject_id) DO UPDATE SET data_key = excluded.data_key, kek_id = excluded.kek_id",
        {subject, toHex(bytes), kekId});
}

void shred(pg::Connection& c, const std::string& subject) {
    pg::Transaction tx(c);
    eventstore::PersonalData(c).shred(subject);
    tx.commit();
}

TEST(MasterKeys, ADataKeyIsStoredOnlyWrappedUnderTheCurrentMasterKey) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    const std::string subject = "user-" + newUuid();
    const auto sealed = eventstore::PersonalData(c).seal(subject, "ada@example.com");
    const auto row = stored(c, subject);
    ASSERT_TRUE(row.bytes && row.kekId);
    EXPECT_EQ(*row.kekId, test::testMasterKeys().currentId());
    const auto dataKey = test::testMasterKeys().unwrap(subject, {*row.kekId, *row.bytes});
    EXPECT_EQ(row.bytes->size(), 12u + 32u + 16u) << "nonce, wrapped key, tag";
    EXPECT_EQ(row.bytes->find(dataKey), std::string::npos) << "the clear key is nowhere in the row";
    EXPECT_EQ(eventstore::PersonalData(c).open(subject, sealed), "ada@example.com");
}

// What erasure protects against: the row's bytes as they were before the shred (a dead tuple, the
// WAL, a backup) open nothing without the master key. With it they would: the master key must
// not be kept with the backups (docs/decisions/0012-key-wrapping.md).
TEST(MasterKeys, AShreddedKeyReadBackFromABackupOpensOnlyWithTheMasterKey) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    const std::string subject = "user-" + newUuid();
    const auto sealed = eventstore::PersonalData(c).seal(subject, "alice.liddell@example.com");
    const auto backup = stored(c, subject);  // read before the shred: the copy a backup holds
    ASSERT_TRUE(backup.bytes && backup.kekId);
    shred(c, subject);
    EXPECT_TRUE(c.exec("SELECT data_key IS NULL AND shredded_at IS NOT NULL FROM lms_subject_keys").boolean(0, 0));
    EXPECT_FALSE(eventstore::PersonalData(c).open(subject, sealed).has_value());

    // The backup restored elsewhere, with its events and its (wrapped) key.
    test::TestDatabase restoredDb;
    pg::Connection restored(restoredDb.url());
    put(restored, subject, *backup.bytes, backup.kekId);
    {
        const eventstore::MasterKeys someoneElses(randomBytes(32));
        const test::UsingMasterKeys without(&someoneElses);
        EXPECT_THROW((void)eventstore::PersonalData(restored).open(subject, sealed), eventstore::KeyError);
    }
    // The stored bytes taken for the key itself (or any 32 of them) open nothing either.
    for (std::size_t at = 0; at + 32 <= backup.bytes->size(); ++at) {
        put(restored, subject, backup.bytes->substr(at, 32), std::nullopt);
        EXPECT_FALSE(eventstore::PersonalData(restored).open(subject, sealed).has_value()) << at;
    }
    put(restored, subject, *backup.bytes, backup.kekId);
    EXPECT_EQ(eventstore::PersonalData(restored).open(subject, sealed), "alice.liddell@example.com")
        << "with the master key, the backup's wrapped key opens: the documented limit";
}

TEST(MasterKeys, AKeyStoredInClearBeforeTheChangeStillOpensAndIsWrappedOnce) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    const std::string subject = "user-" + newUuid();
    const std::string clearKey = randomBytes(32);
    put(c, subject, clearKey, std::nullopt);  // as lms stored keys before migration 0006
    const auto sealed = eventstore::PersonalData(c).seal(subject, "Grace");
    EXPECT_EQ(eventstore::PersonalData(c).open(subject, sealed), "Grace");
    EXPECT_EQ(stored(c, subject).bytes, clearKey) << "sealing with it does not change it";
    shred(c, "user-gone");  // a shredded key is not wrapped: there is nothing to wrap

    EXPECT_EQ(eventstore::wrapClearDataKeys(c, test::testMasterKeys(), 1), 1);
    const auto row = stored(c, subject);
    ASSERT_TRUE(row.bytes && row.kekId);
    EXPECT_EQ(*row.kekId, test::testMasterKeys().currentId());
    EXPECT_EQ(row.bytes->find(clearKey), std::string::npos);
    EXPECT_EQ(test::testMasterKeys().unwrap(subject, {*row.kekId, *row.bytes}), clearKey) << "the same key, wrapped";
    EXPECT_EQ(eventstore::PersonalData(c).open(subject, sealed), "Grace");
    EXPECT_EQ(eventstore::wrapClearDataKeys(c, test::testMasterKeys()), 0) << "idempotent";
    EXPECT_FALSE(stored(c, "user-gone").bytes.has_value());
}

TEST(MasterKeys, RotationReWrapsEveryLiveKeyAndOnlyTheNewKeyOpensThemAfterwards) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    std::vector<std::pair<std::string, std::string>> people;  // subject, sealed name
    for (int i = 0; i < 5; ++i) {
        const std::string s = "user-" + newUuid();
        people.emplace_back(s, eventstore::PersonalData(c).seal(s, "person " + std::to_string(i)));
    }
    put(c, "user-legacy", randomBytes(32), std::nullopt);
    const auto legacySealed = eventstore::PersonalData(c).seal("user-legacy", "from before");
    const std::string erased = "user-" + newUuid();
    (void)eventstore::PersonalData(c).seal(erased, "erased");
    shred(c, erased);

    const std::string oldKey(fromHex(test::kTestMasterKeyHex).value());
    const std::string newKey = randomBytes(32);
    const eventstore::MasterKeys rotating(newKey, {oldKey});
    const auto first = eventstore::rotateMasterKey(c, rotating, 2);  // batches of 2: several transactions
    EXPECT_EQ(first.rewrapped, 6);
    EXPECT_EQ(first.alreadyCurrent, 0);
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_subject_keys WHERE kek_id = '" + rotating.currentId() + "'").i64(0, 0),
              6);
    EXPECT_FALSE(stored(c, erased).bytes.has_value()) << "a shredded key stays shredded";
    const auto again = eventstore::rotateMasterKey(c, rotating, 2);
    EXPECT_EQ(again.rewrapped, 0) << "safe to run twice";
    EXPECT_EQ(again.alreadyCurrent, 6);

    // A process that was given only the old key can no longer open them, and says why.
    try {
        (void)eventstore::PersonalData(c).open(people[0].first, people[0].second);
        FAIL() << "opened with the old master key only";
    } catch (const eventstore::KeyError& e) {
        EXPECT_NE(std::string(e.what()).find(rotating.currentId()), std::string::npos) << e.what();
    }
    {
        const test::UsingMasterKeys withNew(&rotating);
        for (const auto& [subject, sealed] : people)
            EXPECT_NE(eventstore::PersonalData(c).open(subject, sealed), std::nullopt);
        EXPECT_EQ(eventstore::PersonalData(c).open("user-legacy", legacySealed), "from before");
    }
    // The rotation's last step: LMS_MASTER_KEY_PREVIOUS removed.
    const eventstore::MasterKeys newOnly(newKey);
    const test::UsingMasterKeys afterRotation(&newOnly);
    for (const auto& [subject, sealed] : people)
        EXPECT_NE(eventstore::PersonalData(c).open(subject, sealed), std::nullopt);
}

TEST(MasterKeys, RotationRefusesAKeyUnderAMasterKeyItWasNotGivenAndChangesNothing) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    for (int i = 0; i < 3; ++i) (void)eventstore::PersonalData(c).seal("user-" + newUuid(), "x");
    const auto before =
        c.exec("SELECT string_agg(encode(data_key, 'hex'), ',' ORDER BY subject_id) FROM lms_subject_keys");
    const eventstore::MasterKeys unrelated(randomBytes(32));
    try {
        (void)eventstore::rotateMasterKey(c, unrelated);
        FAIL() << "re-wrapped keys it could not unwrap";
    } catch (const eventstore::KeyError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("3 under " + test::testMasterKeys().currentId()), std::string::npos) << m;
        EXPECT_NE(m.find("Nothing was re-wrapped"), std::string::npos) << m;
    }
    EXPECT_EQ(
        c.exec("SELECT string_agg(encode(data_key, 'hex'), ',' ORDER BY subject_id) FROM lms_subject_keys").str(0, 0),
        before.str(0, 0));
}

TEST(MasterKeys, WithoutAnInstalledKeyringNothingIsSealedOrStored) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    const auto sealed = eventstore::PersonalData(c).seal("user-1", "Bob");
    const test::UsingMasterKeys none(nullptr);
    EXPECT_THROW((void)eventstore::PersonalData(c).seal("user-2", "Eve"), std::logic_error);
    EXPECT_THROW((void)eventstore::PersonalData(c).open("user-1", sealed), std::logic_error);
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_subject_keys").i64(0, 0), 1) << "no key stored in clear instead";
}

}  // namespace
}  // namespace lms
