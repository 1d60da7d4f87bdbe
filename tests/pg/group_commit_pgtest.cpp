// The group commit of new streams against a real PostgreSQL: appends from many threads share
// transactions, and each keeps its own outcome.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/ids.hpp"
#include "eventstore/audit.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/group_commit.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/wait.hpp"

namespace lms {
namespace {

using eventstore::AppendConflict;
using eventstore::EventStore;
using eventstore::GroupCommit;
using eventstore::NewEvent;

NewEvent ev(const std::string& id = newUuid()) {
    return NewEvent{id, "NoticeReceived", 1, R"({"n":1})", R"({"actorId":"tester"})"};
}

class GroupCommitTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { db_ = new test::TestDatabase(); }
    static void TearDownTestSuite() {
        delete db_;
        db_ = nullptr;
    }
    static test::TestDatabase* db_;
    pg::Connection c_{db_->url()};

    // How many backends of this database wait for a lock (a batch stuck behind a test's transaction).
    int waitingOnLocks() {
        return static_cast<int>(
            c_.query(
                  "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
                .i64(0, 0));
    }
    std::string txOf(const std::string& stream) {
        return c_.query("SELECT tx_id::text FROM lms_events WHERE stream_id = $1", {stream}).str(0, 0);
    }
};
test::TestDatabase* GroupCommitTest::db_ = nullptr;

TEST_F(GroupCommitTest, ALoneAppendCommitsAtOnceAsAnAppendWould) {
    GroupCommit commits;
    const std::string s = "notice-" + newUuid();
    const auto e = ev();
    const auto done = commits.startStream(c_, s, {e});
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->version.value(), 1);
    EXPECT_FALSE(done->alreadyStored);
    EXPECT_GT(done->last.position, 0);
    const auto got = EventStore(c_).readStream(s);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].eventId, e.eventId);

    // The same event again: already stored; another event on the stream: the stream exists.
    const auto again = commits.startStream(c_, s, {e});
    ASSERT_TRUE(again.has_value());
    EXPECT_TRUE(again->alreadyStored);
    const auto other = commits.startStream(c_, s, {ev()});
    ASSERT_FALSE(other.has_value());
    EXPECT_EQ(other.error().kind, AppendConflict::Kind::WrongExpectedVersion);
    EXPECT_EQ(other.error().actual.value(), 1);
}

// 16 threads start 3,200 streams, every tenth of them twice (by two threads): each stream is
// stored once with its first event, exactly one of its two callers is told it was created, the
// hash chains verify, and the appends shared transactions.
TEST_F(GroupCommitTest, ConcurrentAppendsShareCommitsAndEachKeepsItsOutcome) {
    GroupCommit commits;
    constexpr int kThreads = 16;
    constexpr int kEach = 200;
    const std::string run = newUuid().substr(24);
    std::mutex m;
    std::map<std::string, int> created;  // stream -> callers told "created"
    std::map<std::string, int> refused;  // stream -> callers told "exists"
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            pg::Connection c(db_->url());
            for (int i = 0; i < kEach; ++i) {
                // Thread t's every tenth stream is also thread (t+1)'s.
                const int owner = (i % 10 == 0 && t % 2 == 1) ? t - 1 : t;
                const std::string s = "notice-" + run + "-" + std::to_string(owner) + "-" + std::to_string(i);
                try {
                    const auto done = commits.startStream(c, s, {ev(), ev()});
                    std::lock_guard lock(m);
                    if (done && !done->alreadyStored && done->version.value() == 2) ++created[s];
                    else if (!done && done.error().kind == AppendConflict::Kind::WrongExpectedVersion) ++refused[s];
                    else ++errors;
                } catch (const std::exception&) {
                    ++errors;
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(errors.load(), 0);
    const int distinct = kThreads * kEach - (kThreads / 2) * (kEach / 10);
    EXPECT_EQ(static_cast<int>(created.size()), distinct);
    for (const auto& [s, n] : created) ASSERT_EQ(n, 1) << s;
    for (const auto& [s, n] : refused) ASSERT_EQ(created.count(s), 1u) << s << " refused but never created";
    EXPECT_EQ(static_cast<int>(refused.size()), (kThreads / 2) * (kEach / 10));

    const auto r = c_.query(
        "SELECT count(*), count(DISTINCT stream_id), count(DISTINCT tx_id::text), "
        "count(*) FILTER (WHERE stream_version NOT IN (1, 2)) FROM lms_events WHERE stream_id LIKE $1",
        {"notice-" + run + "-%"});
    EXPECT_EQ(r.i64(0, 0), 2 * distinct);
    EXPECT_EQ(r.i64(0, 1), distinct);
    EXPECT_EQ(r.i64(0, 3), 0);
    EXPECT_LT(r.i64(0, 2), distinct) << "no two appends shared a transaction";
    // The chains of the batched streams verify (each stream's hash chain starts at its first event).
    for (const auto& f : eventstore::verifyChains(c_).findings)
        EXPECT_NE(f.streamId.rfind("notice-" + run + "-", 0), 0u) << f.streamId << ": " << f.reason;
}

// Appends queued behind a batch in flight make one batch: one transaction, each with its own
// outcome (a stream twice in the batch, an event id stored in another stream).
TEST_F(GroupCommitTest, AppendsQueuedBehindABatchInFlightCommitTogether) {
    GroupCommit commits(GroupCommit::Options{64, 1u << 20, 1});
    const std::string run = newUuid().substr(24);
    const std::string gate = "gate-" + run;
    const auto stored = ev();
    ASSERT_TRUE(EventStore(c_).append("other-" + run, eventstore::ExpectedVersion::noStream(), {stored}));

    // Another transaction holds the gate stream: the first append (a batch of one) waits on it.
    pg::Connection holder(db_->url());
    holder.query("BEGIN");
    holder.query("INSERT INTO lms_streams (stream_id, version, last_hash) VALUES ($1, 0, '')", {gate});
    std::thread first([&] {
        pg::Connection c(db_->url());
        const auto done = commits.startStream(c, gate, {ev()});
        EXPECT_TRUE(done.has_value());  // the holder rolls back: the stream is new after all
    });
    ASSERT_TRUE(test::eventually([&] { return waitingOnLocks() == 1; }, std::chrono::seconds(10)));

    const std::vector<std::string> streams{"a-" + run, "b-" + run, "a-" + run, "c-" + run};
    std::vector<std::optional<eventstore::AppendConflict::Kind>> conflicts(streams.size());
    std::vector<bool> ok(streams.size());
    std::vector<std::thread> queued;
    for (std::size_t i = 0; i < streams.size(); ++i) {
        queued.emplace_back([&, i] {
            pg::Connection c(db_->url());
            const auto done = commits.startStream(c, streams[i], {i == 3 ? stored : ev()});
            ok[i] = done.has_value() && !done->alreadyStored;
            if (!done) conflicts[i] = done.error().kind;
        });
        // In this order: the second "a" is behind the first in the queue.
        ASSERT_TRUE(test::eventually([&] { return commits.queued() == i + 1; }, std::chrono::seconds(10)));
    }
    holder.query("ROLLBACK");
    first.join();
    for (auto& t : queued) t.join();

    EXPECT_TRUE(ok[0]);
    EXPECT_TRUE(ok[1]);
    EXPECT_FALSE(ok[2]);
    EXPECT_EQ(conflicts[2], AppendConflict::Kind::WrongExpectedVersion);
    EXPECT_FALSE(ok[3]);
    EXPECT_EQ(conflicts[3], AppendConflict::Kind::EventIdInOtherStream);
    EXPECT_EQ(txOf(streams[0]), txOf(streams[1])) << "the queued appends did not share a transaction";
    EXPECT_NE(txOf(streams[0]), txOf(gate));
    EXPECT_EQ(c_.query("SELECT count(*) FROM lms_streams WHERE stream_id = $1", {streams[3]}).i64(0, 0), 0);
}

// A batch whose statement fails as a whole (an event id that another transaction commits while
// the batch waits on its index entry) is appended again one by one: only that append fails.
TEST_F(GroupCommitTest, ABatchThatFailsAsAWholeIsAppendedOneByOne) {
    GroupCommit commits(GroupCommit::Options{64, 1u << 20, 1});
    const std::string run = newUuid().substr(24);
    const std::string gate = "gate-" + run;
    const auto raced = ev();

    pg::Connection holder(db_->url());
    holder.query("BEGIN");
    holder.query("INSERT INTO lms_streams (stream_id, version, last_hash) VALUES ($1, 0, '')", {gate});
    pg::Connection racer(db_->url());
    racer.query("BEGIN");
    ASSERT_TRUE(EventStore(racer).append("racer-" + run, eventstore::ExpectedVersion::noStream(), {raced}));

    std::thread first([&] {
        pg::Connection c(db_->url());
        EXPECT_TRUE(commits.startStream(c, gate, {ev()}).has_value());
    });
    ASSERT_TRUE(test::eventually([&] { return waitingOnLocks() == 1; }, std::chrono::seconds(10)));
    const std::vector<std::string> streams{"x-" + run, "y-" + run, "z-" + run};
    std::vector<std::optional<AppendConflict::Kind>> conflicts(streams.size());
    std::vector<bool> ok(streams.size());
    std::vector<std::thread> queued;
    for (std::size_t i = 0; i < streams.size(); ++i) {
        queued.emplace_back([&, i] {
            pg::Connection c(db_->url());
            const auto done = commits.startStream(c, streams[i], {i == 1 ? raced : ev()});
            ok[i] = done.has_value() && !done->alreadyStored;
            if (!done) conflicts[i] = done.error().kind;
        });
        ASSERT_TRUE(test::eventually([&] { return commits.queued() == i + 1; }, std::chrono::seconds(10)));
    }
    holder.query("ROLLBACK");
    first.join();
    // The batch now waits on the raced event id's index entry; the racer commits it.
    ASSERT_TRUE(test::eventually([&] { return waitingOnLocks() == 1; }, std::chrono::seconds(10)));
    racer.query("COMMIT");
    for (auto& t : queued) t.join();

    EXPECT_TRUE(ok[0]);
    EXPECT_FALSE(ok[1]);
    EXPECT_EQ(conflicts[1], AppendConflict::Kind::EventIdInOtherStream);
    EXPECT_TRUE(ok[2]);
    EXPECT_EQ(EventStore(c_).readStream(streams[0]).size(), 1u);
    EXPECT_EQ(EventStore(c_).readStream(streams[1]).size(), 0u);
    EXPECT_EQ(EventStore(c_).readStream(streams[2]).size(), 1u);
}

// A caller inside a transaction appends in it, alone: its append rolls back with it.
TEST_F(GroupCommitTest, ACallerInsideATransactionAppendsInIt) {
    GroupCommit commits;
    const std::string s = "notice-" + newUuid();
    c_.query("BEGIN");
    ASSERT_TRUE(commits.startStream(c_, s, {ev()}).has_value());
    c_.query("ROLLBACK");
    EXPECT_EQ(EventStore(c_).readStream(s).size(), 0u);
}

}  // namespace
}  // namespace lms
