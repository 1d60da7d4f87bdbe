// The projection runner, inline projections and rebuilds against a real PostgreSQL.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/ids.hpp"
#include "eventstore/event_store.hpp"
#include "projections/runner.hpp"
#include "projections/stream_activity.hpp"
#include "tests/support/dump.hpp"
#include "tests/support/pg_fixture.hpp"

namespace lms {
namespace {

using eventstore::EventStore;
using eventstore::ExpectedVersion;
using eventstore::NewEvent;

void appendMany(pg::Connection& c, int streams, int eventsPerStream, const std::string& prefix = "course-") {
    EventStore st(c);
    for (int v = 0; v < eventsPerStream; ++v) {
        for (int s = 0; s < streams; ++s) {
            const std::string actor = "actor-" + std::to_string((s + v) % 7);
            auto r = st.append(prefix + std::to_string(s), ExpectedVersion::any(),
                               {NewEvent{newUuid(), "Step" + std::to_string(v % 3), 1,
                                         R"({"v":)" + std::to_string(v) + "}", R"({"actorId":")" + actor + "\"}"}});
            ASSERT_TRUE(r.has_value());
        }
    }
}

int catchUp(projections::Runner& runner) {
    int total = 0;
    while (int n = runner.step()) total += n;
    return total;
}

constexpr const char* kTable = "lms_rm.stream_activity";
// The contexts registered in these tests: course-* streams belong to the catalog.
const domain::StreamCategories kContexts{{"course", "catalog"}, {"user", "identity"}};

TEST(Projections, RunnerCatchesUpInBatchesAndStoresItsCheckpoint) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    projections::StreamActivity p{kContexts};
    ASSERT_TRUE(projections::ensure(c, p));
    EXPECT_FALSE(projections::ensure(c, p)) << "a built read model of the same version is not rebuilt";
    appendMany(c, 10, 25);
    projections::Runner runner(c, p, 40);
    EXPECT_EQ(catchUp(runner), 250);
    EXPECT_EQ(runner.checkpoint(), EventStore(c).head());
    const auto r =
        c.exec("SELECT count(*), sum(version), min(context), max(last_event_type) FROM lms_rm.stream_activity");
    EXPECT_EQ(r.i64(0, 0), 10);
    EXPECT_EQ(r.i64(0, 1), 250);
    EXPECT_EQ(r.str(0, 2), "catalog");
    EXPECT_EQ(runner.step(), 0);
}

TEST(Projections, ReplayEqualsLiveAndSwapsWhileReadersKeepReading) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    projections::StreamActivity p{kContexts};
    projections::ensure(c, p);
    appendMany(c, 30, 20);
    appendMany(c, 5, 3, "user-");
    projections::Runner runner(c, p, 100);
    catchUp(runner);
    const std::string live = test::dumpTable(c, kTable, "stream_id");
    ASSERT_FALSE(live.empty());

    std::atomic<bool> stop{false};
    std::atomic<int> reads{0}, failures{0};
    std::thread reader([&] {
        pg::Connection rc(db.url());
        while (!stop.load()) {
            try {
                const auto n = rc.exec("SELECT count(*) FROM lms_rm.stream_activity").i64(0, 0);
                if (n != 35) failures.fetch_add(1);
                reads.fetch_add(1);
            } catch (const std::exception&) {
                failures.fetch_add(1);
            }
        }
    });
    std::int64_t lastDone = 0;
    const auto replayed = projections::rebuild(
        c, p, [&](const projections::ReplayProgress& pr) { lastDone = pr.done; }, 64);
    stop = true;
    reader.join();
    EXPECT_EQ(replayed, 615);
    EXPECT_EQ(lastDone, 615);
    EXPECT_EQ(test::dumpTable(c, kTable, "stream_id"), live);
    // Swapped in with statistics: the planner knows how many rows the new table has.
    EXPECT_GT(c.query("SELECT reltuples FROM pg_class WHERE oid = $1::regclass", {std::string(kTable)}).i64(0, 0), 0);
    EXPECT_GT(reads.load(), 0);
    EXPECT_EQ(failures.load(), 0) << "readers saw the read model missing or half-built during the rebuild";
    // The live runner continues from the rebuilt checkpoint without applying anything twice.
    EXPECT_EQ(runner.step(), 0);
    appendMany(c, 1, 1, "payment-");
    EXPECT_EQ(catchUp(runner), 1);
}

TEST(Projections, InlineApplyThenRunnerEqualsRebuild) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    projections::StreamActivity p{kContexts};
    projections::ensure(c, p);
    EventStore st(c);
    // Read-your-writes: the event and its read-model row commit together.
    for (int i = 0; i < 20; ++i) {
        pg::Transaction tx(c);
        const std::string stream = "enrollment-" + std::to_string(i % 4);
        NewEvent e{newUuid(), "Enrolled", 1, "{}", R"({"actorId":"a"})"};
        auto r = st.append(stream, ExpectedVersion::any(), {e});
        ASSERT_TRUE(r.has_value());
        eventstore::RecordedEvent rec;
        rec.streamId = stream;
        rec.version = r->version.value();
        rec.eventId = e.eventId;
        rec.type = e.type;
        rec.data = e.data;
        rec.metadata = e.metadata;
        rec.recordedAtUs = c.exec("SELECT (extract(epoch FROM now()) * 1000000)::bigint").i64(0, 0);
        projections::applyInline(c, p, {rec});
        tx.commit();
        const auto row = c.query("SELECT version FROM lms_rm.stream_activity WHERE stream_id = $1", {stream});
        ASSERT_EQ(row.rows(), 1);
        EXPECT_EQ(row.i64(0, 0), r->version.value());
    }
    projections::Runner runner(c, p);
    EXPECT_EQ(catchUp(runner), 20);  // applied again: harmless
    const auto afterBoth = test::dumpTable(c, kTable, "stream_id");
    projections::rebuild(c, p);
    EXPECT_EQ(test::dumpTable(c, kTable, "stream_id"), afterBoth);
}

// A new version of a projection's code rebuilds its read model at the next start.
class StreamActivityV2 final : public projections::Projection {
public:
    std::string name() const override { return inner_.name(); }
    int version() const override { return 2; }
    std::vector<std::string> tables() const override { return inner_.tables(); }
    std::string ddl() const override { return inner_.ddl(); }
    void apply(pg::Connection& c, const eventstore::RecordedEvent& e) override { inner_.apply(c, e); }

private:
    projections::StreamActivity inner_{kContexts};
};

TEST(Projections, AVersionChangeRebuildsAtStart) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    projections::StreamActivity v1{kContexts};
    projections::ensure(c, v1);
    appendMany(c, 3, 3);
    projections::Runner r1(c, v1);
    catchUp(r1);
    StreamActivityV2 v2;
    projections::Runner r2(c, v2);
    EXPECT_EQ(r2.step(), 0) << "a runner never applies events to tables built by another version";
    EXPECT_TRUE(projections::ensure(c, v2));
    EXPECT_EQ(c.exec("SELECT version FROM lms_checkpoints WHERE name = 'projection:stream_activity'").i64(0, 0), 2);
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_rm.stream_activity").i64(0, 0), 3);
}

}  // namespace
}  // namespace lms
