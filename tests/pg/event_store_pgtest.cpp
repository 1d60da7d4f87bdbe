// The event store against a real PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "common/ids.hpp"
#include "eventstore/audit.hpp"
#include "eventstore/command_loop.hpp"
#include "eventstore/event_store.hpp"
#include "tests/support/counter.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/wait.hpp"

namespace lms {
namespace {

using eventstore::AppendConflict;
using eventstore::EventStore;
using eventstore::ExpectedVersion;
using eventstore::GlobalPosition;
using eventstore::NewEvent;

NewEvent ev(const std::string& type = "Thing", const std::string& data = "{}") {
    return NewEvent{newUuid(), type, 1, data, R"({"actorId":"tester"})"};
}

class EventStoreTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { db_ = new test::TestDatabase(); }
    static void TearDownTestSuite() {
        delete db_;
        db_ = nullptr;
    }
    static test::TestDatabase* db_;
    pg::Connection c_{db_->url()};
    EventStore store_{c_};
};
test::TestDatabase* EventStoreTest::db_ = nullptr;

TEST_F(EventStoreTest, AppendsAndReadsAStreamWithEveryField) {
    const std::string s = "course-" + newUuid();
    auto e1 = ev("CourseDrafted", R"({"title":"Rust","price":4900})");
    auto e2 = ev("CourseRenamed", R"({"title":"Rust 2"})");
    auto r = store_.append(s, ExpectedVersion::noStream(), {e1, e2});
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->version.value(), 2);
    EXPECT_FALSE(r->alreadyStored);
    const auto got = store_.readStream(s);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].eventId, e1.eventId);
    EXPECT_EQ(got[0].version, 1);
    EXPECT_EQ(got[1].version, 2);
    EXPECT_EQ(got[0].type, "CourseDrafted");
    EXPECT_EQ(nlohmann::json::parse(got[0].data)["price"], 4900);
    EXPECT_EQ(nlohmann::json::parse(got[0].metadata)["actorId"], "tester");
    EXPECT_EQ(got[0].hash.size(), 32u);
    EXPECT_GT(got[0].recordedAtUs, 0);
    EXPECT_EQ(got[1].global, r->last);
    EXPECT_EQ(store_.readStream(s, 2).size(), 1u);
}

TEST_F(EventStoreTest, ExpectedVersionIsEnforcedAsATypedConflict) {
    const std::string s = "user-" + newUuid();
    ASSERT_TRUE(store_.append(s, ExpectedVersion::noStream(), {ev()}).has_value());
    auto again = store_.append(s, ExpectedVersion::noStream(), {ev()});
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().kind, AppendConflict::Kind::WrongExpectedVersion);
    EXPECT_EQ(again.error().actual.value(), 1);
    auto stale = store_.append(s, ExpectedVersion::exact(domain::StreamVersion(0)), {ev()});
    EXPECT_FALSE(stale.has_value());
    auto ahead = store_.append(s, ExpectedVersion::exact(domain::StreamVersion(5)), {ev()});
    EXPECT_FALSE(ahead.has_value());
    auto right = store_.append(s, ExpectedVersion::exact(domain::StreamVersion(1)), {ev()});
    ASSERT_TRUE(right.has_value());
    EXPECT_EQ(right->version.value(), 2);
    auto any = store_.append(s, ExpectedVersion::any(), {ev(), ev()});
    ASSERT_TRUE(any.has_value());
    EXPECT_EQ(any->version.value(), 4);
    auto missing = store_.append("user-" + newUuid(), ExpectedVersion::exact(domain::StreamVersion(1)), {ev()});
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().actual.value(), 0);
    EXPECT_EQ(store_.readStream(s).size(), 4u);
}

TEST_F(EventStoreTest, AppendingStoredEventIdsIsIdempotent) {
    const std::string s = "payment-" + newUuid();
    auto e = ev("PaymentCompleted");
    ASSERT_TRUE(store_.append(s, ExpectedVersion::noStream(), {e}).has_value());
    // The client's retry after a lost response: same ids, stale expected version.
    auto retry = store_.append(s, ExpectedVersion::noStream(), {e});
    ASSERT_TRUE(retry.has_value());
    EXPECT_TRUE(retry->alreadyStored);
    EXPECT_EQ(retry->version.value(), 1);
    EXPECT_EQ(store_.readStream(s).size(), 1u);
    // The same id offered to another stream is refused, not silently dropped.
    auto elsewhere = store_.append("payment-" + newUuid(), ExpectedVersion::any(), {e});
    ASSERT_FALSE(elsewhere.has_value());
    EXPECT_EQ(elsewhere.error().kind, AppendConflict::Kind::EventIdInOtherStream);
}

TEST_F(EventStoreTest, EventsCannotBeUpdatedOrDeletedThroughSql) {
    const std::string s = "user-" + newUuid();
    ASSERT_TRUE(store_.append(s, ExpectedVersion::noStream(), {ev()}).has_value());
    EXPECT_THROW(c_.query("UPDATE lms_events SET data = '{}' WHERE stream_id = $1", {s}), pg::Error);
    EXPECT_THROW(c_.query("DELETE FROM lms_events WHERE stream_id = $1", {s}), pg::Error);
}

TEST_F(EventStoreTest, ConcurrentAppendsToOneStreamHaveExactlyOneWinnerPerVersion) {
    const std::string s = "course-" + newUuid();
    constexpr int kWriters = 8;
    constexpr int kRounds = 15;
    for (int round = 0; round < kRounds; ++round) {
        std::atomic<int> wins{0}, conflicts{0};
        std::vector<std::thread> ts;
        for (int w = 0; w < kWriters; ++w) {
            ts.emplace_back([&, round] {
                pg::Connection c(db_->url());
                EventStore st(c);
                const auto expected = round == 0 ? ExpectedVersion::noStream()
                                                 : ExpectedVersion::exact(domain::StreamVersion(round));
                auto r = st.append(s, expected, {ev()});
                (r.has_value() ? wins : conflicts).fetch_add(1);
                if (!r.has_value()) {
                    EXPECT_EQ(r.error().kind, AppendConflict::Kind::WrongExpectedVersion);
                }
            });
        }
        for (auto& t : ts) t.join();
        EXPECT_EQ(wins.load(), 1) << "round " << round;
        EXPECT_EQ(conflicts.load(), kWriters - 1) << "round " << round;
    }
    const auto all = store_.readStream(s);
    ASSERT_EQ(all.size(), static_cast<std::size_t>(kRounds));
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].version, static_cast<std::int64_t>(i + 1));
}

TEST_F(EventStoreTest, CommandLoopRetriesConflictsAndLosesNoUpdate) {
    const std::string s = "counter-" + newUuid();
    constexpr int kThreads = 6;
    constexpr int kEach = 15;
    std::atomic<int> refused{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t) {
        ts.emplace_back([&] {
            pg::Connection c(db_->url());
            for (int i = 0; i < kEach; ++i) {
                eventstore::CommandOptions opts;
                opts.maxAttempts = 50;
                auto r = eventstore::handleCommand<test::Counter>(c, s, {1}, {"tester", "req", ""}, opts);
                if (!r.has_value()) refused.fetch_add(1);
            }
        });
    }
    for (auto& t : ts) t.join();
    EXPECT_EQ(refused.load(), 0);
    const auto state = eventstore::fold<test::Counter>(store_.readStream(s));
    EXPECT_EQ(state.value, kThreads * kEach);
    // A refused decision writes nothing.
    auto r = eventstore::handleCommand<test::Counter>(c_, s, {-1000}, {"tester", "req", ""});
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, "negative_counter");
    EXPECT_EQ(store_.readStream(s).size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST_F(EventStoreTest, CommandLoopCommitsWithinTransactionWorkOrNothing) {
    const std::string s = "counter-" + newUuid();
    c_.exec("CREATE TABLE IF NOT EXISTS test_reservations (k text PRIMARY KEY)");
    eventstore::CommandOptions opts;
    opts.withinTransaction = [](pg::Connection& c, const std::vector<eventstore::RecordedEvent>&) {
        c.query("INSERT INTO test_reservations VALUES ('taken')");
        return std::optional<domain::DomainError>{};
    };
    ASSERT_TRUE((eventstore::handleCommand<test::Counter>(c_, s, {1}, {}, opts)).has_value());
    // The second command's reservation fails: its events must not be stored either.
    EXPECT_THROW((void)eventstore::handleCommand<test::Counter>(c_, s, {1}, {}, opts), pg::Error);
    EXPECT_EQ(store_.readStream(s).size(), 1u);
    opts.withinTransaction = [](pg::Connection&, const std::vector<eventstore::RecordedEvent>&) {
        return std::optional<domain::DomainError>(
            domain::DomainError{domain::DomainError::Kind::Conflict, "taken", "already taken", "email"});
    };
    auto refused = eventstore::handleCommand<test::Counter>(c_, s, {1}, {}, opts);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, "taken");
    EXPECT_EQ(store_.readStream(s).size(), 1u);
}

// 16 writers hold their transactions open for random pauses after appending, so positions are
// committed out of order. A subscriber reading concurrently must see every committed event
// exactly once, and never an event of a transaction before one that committed before it began.
struct TxRecord {
    std::chrono::steady_clock::time_point began, committed;
    std::vector<std::string> ids;
};

struct ScenarioResult {
    std::vector<TxRecord> txs;
    std::vector<std::string> seen;  // event ids in the order the subscriber saw them
};

template <class Reader>
ScenarioResult runWritersAndSubscriber(const std::string& url, Reader&& readNext) {
    constexpr int kWriters = 16;
    constexpr int kTxPerWriter = 25;
    ScenarioResult out;
    std::mutex m;
    std::atomic<bool> done{false};
    std::thread subscriber([&] {
        pg::Connection c(url);
        for (;;) {
            const bool finished = done.load();
            auto got = readNext(c);
            for (auto& id : got) out.seen.push_back(std::move(id));
            if (finished && got.empty()) break;
        }
    });
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&, w] {
            pg::Connection c(url);
            EventStore st(c);
            std::mt19937 rng(static_cast<unsigned>(w) * 7919u + 1u);
            std::uniform_int_distribution<int> pause(0, 15);
            for (int i = 0; i < kTxPerWriter; ++i) {
                TxRecord rec;
                rec.began = std::chrono::steady_clock::now();
                pg::Transaction tx(c);
                const int n = 1 + (i % 3);
                std::vector<NewEvent> evs;
                for (int k = 0; k < n; ++k) evs.push_back(ev());
                const std::string stream = "gapless-" + std::to_string(w) + "-" + std::to_string(i % 4);
                auto r = st.append(stream, ExpectedVersion::any(), evs);
                EXPECT_TRUE(r.has_value());
                std::this_thread::sleep_for(std::chrono::milliseconds(pause(rng)));
                tx.commit();
                rec.committed = std::chrono::steady_clock::now();
                for (auto& e : evs) rec.ids.push_back(e.eventId);
                std::lock_guard lock(m);
                out.txs.push_back(std::move(rec));
            }
        });
    }
    for (auto& t : writers) t.join();
    // Every transaction has committed: the subscriber's first empty read after it sees `done` is
    // past all of them, so it stops having seen everything there is to see.
    done = true;
    subscriber.join();
    return out;
}

// A subscriber waiting with a poll interval far longer than the test is woken by the append's
// commit: by the process's installed Notifier, or by the appending connection itself without one.
void expectAppendWakesSubscriber(const std::string& url) {
    pg::Connection listener(url);
    const std::string listenerPid = listener.exec("SELECT pg_backend_pid()").str(0, 0);
    eventstore::Subscription sub(listener, EventStore(listener).head(), 120000);
    const std::string stream = "wake-" + newUuid();
    std::thread writer([&] {
        pg::Connection c(url);
        pg::Transaction tx(c);
        ASSERT_TRUE(EventStore(c).append(stream, ExpectedVersion::noStream(), {ev()}).has_value());
        // Commit once the subscriber waits: after its LISTEN its connection has run the read that
        // found nothing and sits idle, the subscriber in waitForNotification. (From a connection
        // outside this transaction: pg_stat_activity is a snapshot per transaction.)
        pg::Connection observer(url);
        EXPECT_TRUE(test::eventually(
            [&] {
                return observer
                           .query(
                               "SELECT 1 FROM pg_stat_activity WHERE pid = $1::int AND state = 'idle' "
                               "AND query NOT ILIKE 'listen%'",
                               {listenerPid})
                           .rows() == 1;
            },
            std::chrono::seconds(30)))
            << "the subscriber never read after its LISTEN";
        tx.commit();
    });
    const auto t0 = std::chrono::steady_clock::now();
    auto batch = sub.next(10);
    const auto waited = std::chrono::steady_clock::now() - t0;
    writer.join();
    ASSERT_EQ(batch.size(), 1u);
    EXPECT_EQ(batch[0].streamId, stream);
    EXPECT_LT(waited, std::chrono::seconds(30)) << "woken by polling, not by the commit";
}

TEST_F(EventStoreTest, CommittedAppendWakesSubscriberWithoutNotifier) {
    ASSERT_EQ(eventstore::Notifier::installed(), nullptr);
    expectAppendWakesSubscriber(db_->url());
}

TEST_F(EventStoreTest, CommittedAppendWakesSubscriberThroughInstalledNotifier) {
    eventstore::Notifier notifier(db_->url());
    notifier.install();
    ASSERT_EQ(eventstore::Notifier::installed(), &notifier);
    expectAppendWakesSubscriber(db_->url());
}

TEST_F(EventStoreTest, GaplessSubscriberSeesEveryCommittedEventOnceInCommitOrder) {
    test::TestDatabase db;  // a database of its own: the count below must be exact
    eventstore::GlobalPosition at{};
    auto result = runWritersAndSubscriber(db.url(), [&](pg::Connection& c) {
        // The production subscription: LISTEN/NOTIFY with a polling fallback.
        eventstore::Subscription sub(c, at, 20);
        auto batch = sub.next(100);
        at = sub.position();
        std::vector<std::string> ids;
        for (auto& e : batch) ids.push_back(e.eventId);
        return ids;
    });
    std::size_t committed = 0;
    for (const auto& t : result.txs) committed += t.ids.size();
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < result.seen.size(); ++i) {
        EXPECT_TRUE(index.emplace(result.seen[i], i).second) << "seen twice: " << result.seen[i];
    }
    EXPECT_EQ(result.seen.size(), committed);
    for (const auto& t : result.txs) {
        for (const auto& id : t.ids) EXPECT_EQ(index.count(id), 1u) << "never seen: " << id;
    }
    // Real-time order: a transaction that committed before another began is seen before it.
    int checkedPairs = 0;
    for (const auto& a : result.txs) {
        for (const auto& b : result.txs) {
            if (a.committed < b.began && index.count(a.ids.back()) && index.count(b.ids.front())) {
                ++checkedPairs;
                EXPECT_LT(index[a.ids.back()], index[b.ids.front()]);
            }
        }
    }
    EXPECT_GT(checkedPairs, 1000);
    // Within one transaction the events keep their order.
    for (const auto& t : result.txs) {
        for (std::size_t k = 1; k < t.ids.size(); ++k) EXPECT_EQ(index[t.ids[k]], index[t.ids[k - 1]] + 1);
    }
}

TEST_F(EventStoreTest, NaivePositionReaderSkipsEventsUnderTheSameScenario) {
    // The test of the test: the scenario above must be able to catch a reader that trusts
    // `position > last`, or its passing would mean nothing.
    test::TestDatabase db;
    std::int64_t last = 0;
    auto result = runWritersAndSubscriber(db.url(), [&](pg::Connection& c) {
        EventStore st(c);
        auto batch = st.readAllNaive(last, 100);
        if (batch.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        std::vector<std::string> ids;
        for (auto& e : batch) {
            ids.push_back(e.eventId);
            last = e.global.position;
        }
        return ids;
    });
    std::size_t committed = 0;
    for (const auto& t : result.txs) committed += t.ids.size();
    EXPECT_LT(result.seen.size(), committed) << "the naive reader skipped nothing: the scenario proves nothing";
}

TEST_F(EventStoreTest, AuditVerifyCatchesARowEditedBehindTheStoresBack) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    EventStore st(c);
    const std::string victim = "enrollment-" + newUuid();
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(st.append("course-" + std::to_string(i), ExpectedVersion::any(), {ev(), ev()}).has_value());
    }
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(
            st.append(victim, ExpectedVersion::any(), {ev("Step", R"({"n":)" + std::to_string(i) + "}")}).has_value());
    }
    auto clean = eventstore::verifyChains(c);
    EXPECT_TRUE(clean.findings.empty());
    EXPECT_EQ(clean.events, 11);
    EXPECT_EQ(clean.streams, 4);

    // An attacker with database access switches the guard off and edits event 3's data.
    c.exec("SET session_replication_role = replica");
    c.query("UPDATE lms_events SET data = '{\"n\": 99}' WHERE stream_id = $1 AND stream_version = 3", {victim});
    c.exec("SET session_replication_role = origin");
    auto report = eventstore::verifyChains(c);
    ASSERT_EQ(report.findings.size(), 1u);
    EXPECT_EQ(report.findings[0].streamId, victim);
    EXPECT_EQ(report.findings[0].version, 3);

    // Deleting a stream's last event leaves every remaining hash intact; the stream head gives it away.
    const std::string other = "course-1";
    c.exec("SET session_replication_role = replica");
    c.query("DELETE FROM lms_events WHERE stream_id = $1 AND stream_version = 2", {other});
    c.exec("SET session_replication_role = origin");
    report = eventstore::verifyChains(c);
    ASSERT_EQ(report.findings.size(), 2u);
    EXPECT_EQ(report.findings[0].streamId, other);
}

}  // namespace
}  // namespace lms

namespace lms {
namespace {

// Transaction ids must order as numbers: an event written at xid 99999 comes before one written at
// 100000. (The readers once sorted by the text of the id, which inverts exactly this case.)
TEST(GlobalOrder, FollowsTransactionIdsAcrossAPowerOfTen) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    EventStore st(c);
    auto a = ev("First");
    ASSERT_TRUE(st.append("order-1", ExpectedVersion::any(), {a}).has_value());
    const auto xid = c.exec("SELECT pg_current_xact_id()::text::bigint").i64(0, 0);
    std::int64_t next = 10;
    while (next <= xid) next *= 10;
    // Burn transaction ids up to the next power of ten (one per subtransaction that writes).
    c.exec("CREATE TEMP TABLE burn (x int)");
    c.exec("DO $$ BEGIN FOR i IN 1.." + std::to_string(next - xid + 5) +
           " LOOP BEGIN INSERT INTO burn VALUES (1); EXCEPTION WHEN others THEN NULL; END; END LOOP; END $$");
    auto b = ev("Second");
    ASSERT_TRUE(st.append("order-2", ExpectedVersion::any(), {b}).has_value());
    ASSERT_GE(std::to_string(c.exec("SELECT max(tx_id)::text::bigint FROM lms_events").i64(0, 0)).size(),
              std::to_string(xid).size() + 1)
        << "the scenario did not cross a power of ten";
    const auto all = st.readAll({}, 10);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].eventId, a.eventId);
    EXPECT_EQ(all[1].eventId, b.eventId);
    EXPECT_EQ(st.head(), all[1].global);
}

}  // namespace
}  // namespace lms
