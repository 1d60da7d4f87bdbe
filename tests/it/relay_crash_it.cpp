// Kill -9 the relay process at random moments, several times, restarting it each time: a
// consumer must see every event id at least once, and the set must equal the store's. The broker
// (`lms dev-kafka`) is a process of its own so that killing the relay does not kill it.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "common/ids.hpp"
#include "eventstore/event_store.hpp"
#include "tests/support/kafka_offsets.hpp"
#include "tests/support/lms_env.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/wait.hpp"

namespace lms {
namespace {

using eventstore::EventStore;
using eventstore::ExpectedVersion;
using eventstore::NewEvent;

void appendBatch(EventStore& st, int n, int salt) {
    for (int i = 0; i < n; ++i) {
        const std::string stream = (i % 2 ? "course-" : "user-") + std::to_string((i + salt) % 37);
        ASSERT_TRUE(
            st.append(stream, ExpectedVersion::any(), {NewEvent{newUuid(), "Happened", 1, "{}", "{}"}}).has_value());
    }
}

TEST(RelayCrash, KilledAtRandomMomentsLosesNothing) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    EventStore st(c);
    test::Process broker({test::lmsBinary(), "dev-kafka"}, {});
    const std::string brokers = broker.readLine(std::chrono::seconds(30));
    ASSERT_NE(brokers.find(':'), std::string::npos) << brokers;

    const auto env = test::lmsEnvironment(
        db.url(), {{"LMS_KAFKA_BROKERS", brokers}, {"LMS_KAFKA_TOPIC_PREFIX", "crash"}, {"LMS_RELAY_BATCH", "10"}});
    std::mt19937 rng(20261123);
    std::uniform_int_distribution<int> life(100, 900);
    appendBatch(st, 1500, 0);
    int interrupted = 0;  // kills that landed before the relay had caught up
    for (int round = 0; round < 6; ++round) {
        test::Process relay({test::lmsBinary(), "serve", "--only", "relay"}, env);
        relay.waitForLine("lms: serving", std::chrono::seconds(60));
        std::this_thread::sleep_for(std::chrono::milliseconds(life(rng)));
        relay.kill(SIGKILL);
        EXPECT_EQ(relay.wait(), 128 + SIGKILL);
        const auto r = c.query("SELECT tx_id::text, position FROM lms_checkpoints WHERE name = 'relay'");
        if (r.rows() == 0 || eventstore::GlobalPosition{r.u64(0, 0), r.i64(0, 1)} != st.head()) ++interrupted;
        appendBatch(st, 400, round + 1);  // the store keeps moving while the relay is down
    }
    EXPECT_GE(interrupted, 3) << "the kills did not interrupt the relay mid-work: the test proves little";
    {
        test::Process relay({test::lmsBinary(), "serve", "--only", "relay"}, env);
        relay.waitForLine("lms: serving", std::chrono::seconds(60));
        const auto head = st.head();
        ASSERT_TRUE(test::eventually(
            [&] {
                const auto r = c.query("SELECT tx_id::text, position FROM lms_checkpoints WHERE name = 'relay'");
                return r.rows() == 1 && eventstore::GlobalPosition{r.u64(0, 0), r.i64(0, 1)} == head;
            },
            std::chrono::seconds(120), std::chrono::milliseconds(100)))
            << "the relay never caught up";
        relay.kill(SIGTERM);
        EXPECT_EQ(relay.wait(), 0) << "SIGTERM stops lms serve cleanly";
    }

    std::set<std::string> stored;
    const auto rows = c.exec("SELECT event_id::text FROM lms_events");
    for (int i = 0; i < rows.rows(); ++i) stored.insert(rows.str(i, 0));
    ASSERT_EQ(stored.size(), 3900u);

    // The relay has caught up and stopped: the topics hold all they will.
    std::set<std::string> seen;
    std::size_t messages = 0;
    // user-* streams go to the identity context's topic, course-* to the catalog's.
    for (const auto& m : test::readToEnd(brokers, {"crash.identity", "crash.catalog"}, std::chrono::seconds(60))) {
        ++messages;
        seen.insert(nlohmann::json::parse(m.value)["eventId"].get<std::string>());
    }
    EXPECT_EQ(seen, stored);
    std::cout << "relay crash test: " << stored.size() << " events, " << messages << " messages ("
              << messages - seen.size() << " redelivered after kills); " << interrupted
              << " of 6 kills landed mid-work\n";
}

}  // namespace
}  // namespace lms
