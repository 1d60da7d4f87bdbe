// The event store's pure parts: positions, the published envelope and topic, and the command
// loop's fold. No I/O (no database, no broker).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "eventstore/command_loop.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/relay.hpp"
#include "tests/support/counter.hpp"

namespace lms {

TEST(GlobalPosition, ParsesWhatItPrints) {
    eventstore::GlobalPosition p{123, 456};
    EXPECT_EQ(eventstore::GlobalPosition::parse(p.toString()), p);
    EXPECT_THROW(eventstore::GlobalPosition::parse("12"), std::invalid_argument);
    EXPECT_THROW(eventstore::GlobalPosition::parse("1/x"), std::invalid_argument);
    EXPECT_LT((eventstore::GlobalPosition{1, 900}), (eventstore::GlobalPosition{2, 5}));
}

TEST(Envelope, CarriesEveryFieldAsJson) {
    eventstore::RecordedEvent e;
    e.global = {10, 20};
    e.streamId = "course-1";
    e.version = 3;
    e.eventId = "0193a1b2-0000-7000-8000-000000000001";
    e.type = "CoursePublished";
    e.data = R"({"title":"C++ \"for\" all"})";
    e.metadata = R"({"actorId":"u1"})";
    e.recordedAtUs = 1795000000000000;
    e.hash = std::string(32, '\x01');
    const domain::StreamCategories categories{{"course", "catalog"}};
    const std::string context = categories.contextOf(e.streamId);
    const auto j = nlohmann::json::parse(eventstore::envelopeJson(e, context));
    EXPECT_EQ(j["eventId"], e.eventId);
    EXPECT_EQ(j["streamVersion"], 3);
    EXPECT_EQ(j["position"], "10/20");
    EXPECT_EQ(j["context"], "catalog");
    EXPECT_EQ(j["data"]["title"], "C++ \"for\" all");
    EXPECT_EQ(j["metadata"]["actorId"], "u1");
    EXPECT_EQ(j["recordedAt"], "2026-11-18T11:06:40.000000Z");
    EXPECT_EQ(eventstore::topicFor("lms", context), "lms.catalog");
}

// The command loop folds the recorded history with the decider's evolve, then decide answers.
TEST(CommandLoop, FoldsTheRecordedHistoryThenTheDeciderDecides) {
    std::vector<eventstore::RecordedEvent> history(2);
    history[0].type = history[1].type = "CounterChanged";
    history[0].data = R"({"delta":5})";
    history[1].data = R"({"delta":-2})";
    const auto state = eventstore::fold<test::Counter>(history);
    EXPECT_EQ(state.value, 3);
    auto ok = test::Counter::decide(state, {-3});
    ASSERT_TRUE(ok.has_value());
    ASSERT_EQ(ok->size(), 1u);
    EXPECT_EQ((*ok)[0].data.at("delta"), -3);
    auto refused = test::Counter::decide(state, {-4});
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, "negative_counter");
    EXPECT_EQ(refused.error().field, "delta");
}

}  // namespace lms
