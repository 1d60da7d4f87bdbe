// The event store's pure parts: positions, the published envelope and topic, and the command
// loop's fold. No I/O (no database, no broker).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "eventstore/command_loop.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/master_keys.hpp"
#include "eventstore/relay.hpp"
#include "common/secure.hpp"
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

// Wrapping data keys under master keys (no database: PersonalData and the rotation are pg tests).
TEST(MasterKeys, WrapUnderTheCurrentKeyUnwrapWithAnyKnownOneAndNameWhatIsMissing) {
    const std::string oldKey(32, '\x01'), newKey(32, '\x02'), otherKey(32, '\x03');
    const eventstore::MasterKeys old(oldKey);
    const eventstore::MasterKeys rotating(newKey, {oldKey});
    EXPECT_EQ(old.currentId(), eventstore::MasterKeys::idOf(oldKey));
    EXPECT_EQ(old.currentId().size(), 16u);
    EXPECT_NE(old.currentId(), rotating.currentId());
    EXPECT_TRUE(rotating.knows(old.currentId()));
    EXPECT_FALSE(old.knows(rotating.currentId()));

    const std::string dataKey = randomBytes(32);
    const auto w = old.wrap("user-1", dataKey);
    EXPECT_EQ(w.kekId, old.currentId());
    EXPECT_EQ(w.bytes.find(dataKey), std::string::npos);
    EXPECT_EQ(old.unwrap("user-1", w), dataKey);
    EXPECT_EQ(rotating.unwrap("user-1", w), dataKey) << "a previous key still unwraps";
    EXPECT_EQ(rotating.wrap("user-1", dataKey).kekId, rotating.currentId()) << "only the current one wraps";
    EXPECT_THROW((void)old.unwrap("user-2", w), eventstore::KeyError) << "bound to its subject";
    auto changed = w;
    changed.bytes[20] ^= 1;
    EXPECT_THROW((void)old.unwrap("user-1", changed), eventstore::KeyError);

    const eventstore::MasterKeys other(otherKey);
    try {
        (void)other.unwrap("user-1", w);
        FAIL() << "unwrapped without its master key";
    } catch (const eventstore::KeyError& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find(old.currentId()), std::string::npos) << m;
        EXPECT_NE(m.find("LMS_MASTER_KEY_PREVIOUS"), std::string::npos) << m;
    }
    EXPECT_THROW(eventstore::MasterKeys("short"), std::invalid_argument);
}

TEST(MasterKeys, OneIsInstalledPerProcessUntilItGoes) {
    ASSERT_EQ(eventstore::MasterKeys::installed(), nullptr);
    EXPECT_THROW((void)eventstore::MasterKeys::required(), std::logic_error);
    {
        const eventstore::MasterKeys keys(std::string(32, 'k'));
        keys.install();
        EXPECT_EQ(&eventstore::MasterKeys::required(), &keys);
    }
    EXPECT_EQ(eventstore::MasterKeys::installed(), nullptr) << "destroyed: no dangling keyring";
}

}  // namespace lms
