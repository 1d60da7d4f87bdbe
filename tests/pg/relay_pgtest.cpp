// The Kafka relay against a real PostgreSQL and librdkafka's mock cluster (a real Kafka-protocol
// broker, in memory).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/ids.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/kafka.hpp"
#include "eventstore/relay.hpp"
#include "tests/support/pg_fixture.hpp"

namespace lms {
namespace {

using eventstore::EventStore;
using eventstore::ExpectedVersion;
using eventstore::NewEvent;

TEST(Relay, PublishesEveryEventToItsContextTopicKeyedByStreamInStreamOrder) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    EventStore st(c);
    const std::vector<std::string> categories{"user", "course", "enrollment", "payment", "progress"};
    // The contexts the relay is told of; "progress" is claimed by nobody and keeps its own name.
    const domain::StreamCategories contexts{
        {"user", "identity"}, {"course", "catalog"}, {"enrollment", "enrollment"}, {"payment", "payments"}};
    std::map<std::string, std::string> topicOf;  // event id -> expected topic
    for (int v = 0; v < 20; ++v) {
        for (int s = 0; s < 15; ++s) {
            const std::string stream = categories[static_cast<std::size_t>(s) % categories.size()] + "-" +
                                       std::to_string(s);
            NewEvent e{newUuid(), "Happened", 1, R"({"v":)" + std::to_string(v) + "}", "{}"};
            ASSERT_TRUE(st.append(stream, ExpectedVersion::any(), {e}).has_value());
            topicOf[e.eventId] = "test." + contexts.contextOf(stream);
        }
    }
    kafka::EmbeddedCluster cluster;
    kafka::Producer producer(cluster.bootstrapServers());
    eventstore::Relay relay(c, producer, "test", contexts, 64, 50);
    int published = 0;
    while (int n = relay.publishOnce()) published += n;
    EXPECT_EQ(published, 300);
    EXPECT_EQ(relay.checkpoint(), st.head());

    std::set<std::string> topics;
    for (const auto& [id, t] : topicOf) topics.insert(t);
    kafka::Consumer consumer(cluster.bootstrapServers(), "relay-test", {topics.begin(), topics.end()}, {},
                             kafka::Consumer::Mode::AssignFromStart);
    std::map<std::string, std::int64_t> lastVersion;  // per stream, in consumption order
    std::set<std::string> seen;
    kafka::IncomingMessage m;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (seen.size() < topicOf.size() && std::chrono::steady_clock::now() < deadline) {
        if (!consumer.poll(m, std::chrono::milliseconds(500))) continue;
        const auto env = nlohmann::json::parse(m.value);
        const std::string id = env["eventId"];
        seen.insert(id);
        EXPECT_EQ(m.topic, topicOf[id]);
        EXPECT_EQ(m.key, env["streamId"]);
        EXPECT_EQ(m.headers["lms.event_id"], id);
        EXPECT_EQ(m.headers["lms.type"], "Happened");
        EXPECT_EQ(m.headers["lms.position"], env["position"]);
        EXPECT_EQ(env["hash"].get<std::string>().size(), 64u);
        const std::int64_t version = env["streamVersion"];
        EXPECT_GT(version, lastVersion[m.key]) << "stream " << m.key << " out of order";
        lastVersion[m.key] = version;
    }
    EXPECT_EQ(seen.size(), topicOf.size());
}

TEST(Relay, DoesNotAdvanceWhenTheBrokerDoesNotAcknowledge) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    EventStore st(c);
    ASSERT_TRUE(st.append("user-1", ExpectedVersion::any(), {NewEvent{newUuid(), "X", 1, "{}", "{}"}}).has_value());
    // Nothing listens on this port: no delivery report can succeed.
    kafka::Producer producer("127.0.0.1:1", {{"message.timeout.ms", "1500"}});
    eventstore::Relay relay(c, producer, "test", {}, 10, 50);
    EXPECT_EQ(relay.publishOnce(), 0);
    EXPECT_EQ(relay.checkpoint(), eventstore::GlobalPosition{});
}

}  // namespace
}  // namespace lms
