// Pure tests: no I/O.
#include <gtest/gtest.h>

#include "domain/core/event.hpp"
#include "eventstore/command_loop.hpp"
#include "tests/support/counter.hpp"

namespace lms {

TEST(Contexts, StreamCategoriesMapToTheirBoundedContext) {
    EXPECT_EQ(domain::contextOfStream("user-0193a1b2"), "identity");
    EXPECT_EQ(domain::contextOfStream("course-abc"), "catalog");
    EXPECT_EQ(domain::contextOfStream("enrollment-u1-c1"), "enrollment");
    EXPECT_EQ(domain::contextOfStream("payment-9"), "payments");
}

TEST(Contexts, UnknownCategoriesKeepASafeTopicName) {
    EXPECT_EQ(domain::contextOfStream("Weird Thing-1"), "weird_thing");
    EXPECT_EQ(domain::contextOfStream("-x"), "misc");
}

TEST(Metadata, RoundTripsAndOmitsEmptyFields) {
    domain::Metadata m{"actor-1", "req-2", ""};
    const auto j = m.toJson();
    EXPECT_FALSE(j.contains("causationId"));
    const auto back = domain::Metadata::fromJson(j);
    EXPECT_EQ(back.actorId, "actor-1");
    EXPECT_EQ(back.correlationId, "req-2");
}

// Given events, when a command, then events or an error: the decider alone.
TEST(Decider, GivenHistoryWhenCommandThenEvents) {
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
