// Typed events and their codec (domain/core/codec.hpp), stream categories and the identity ids:
// pure, no I/O.
#include <gtest/gtest.h>

#include "domain/core/categories.hpp"
#include "domain/core/codec.hpp"
#include "domain/identity/events.hpp"
#include "domain/identity/ids.hpp"

namespace lms {
namespace {

using domain::DomainEvent;
namespace di = domain::identity;

// An event whose data changed shape: v1 had "name", v2 splits it into "first" and "last".
struct Renamed {
    static constexpr std::string_view kType = "Renamed";
    static constexpr int kSchemaVersion = 2;
    std::string first, last;
    nlohmann::json toJson() const { return {{"first", first}, {"last", last}}; }
    static Renamed fromJson(const nlohmann::json& d) {
        return {domain::fields::text(d, "first"), domain::fields::text(d, "last")};
    }
    static nlohmann::json upcast(int fromVersion, nlohmann::json d) {
        if (fromVersion == 1) {
            const std::string name = domain::fields::text(d, "name");
            const auto space = name.find(' ');
            return {{"first", name.substr(0, space)},
                    {"last", space == std::string::npos ? "" : name.substr(space + 1)}};
        }
        return d;
    }
};
struct Plain {
    static constexpr std::string_view kType = "Plain";
    static constexpr int kSchemaVersion = 1;
    std::int64_t n = 0;
    nlohmann::json toJson() const { return {{"n", n}}; }
    static Plain fromJson(const nlohmann::json& d) { return {domain::fields::integer(d, "n")}; }
};
using TestEvents = domain::EventCodec<Renamed, Plain>;

}  // namespace

TEST(Codec, EncodesWithTheTypeNameAndSchemaVersion) {
    const auto e = TestEvents::encode(Renamed{"Ada", "Lovelace"});
    EXPECT_EQ(e.type, "Renamed");
    EXPECT_EQ(e.schemaVersion, 2);
    EXPECT_EQ(e.data, (nlohmann::json{{"first", "Ada"}, {"last", "Lovelace"}}));
    const auto back = TestEvents::decode(e);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(std::get<Renamed>(*back).last, "Lovelace");
}

TEST(Codec, UpcastsAnOlderSchemaVersionWhenReading) {
    const auto decoded = TestEvents::decode(DomainEvent{"Renamed", 1, {{"name", "Grace Hopper"}}});
    ASSERT_TRUE(decoded.has_value());
    const auto& r = std::get<Renamed>(*decoded);
    EXPECT_EQ(r.first, "Grace");
    EXPECT_EQ(r.last, "Hopper");
}

TEST(Codec, RefusesASchemaVersionItCannotRead) {
    EXPECT_THROW((void)TestEvents::decode(DomainEvent{"Renamed", 3, {{"first", "x"}}}), domain::SchemaVersionError);
    // No upcaster: an older version of Plain cannot be read either.
    EXPECT_THROW((void)TestEvents::decode(DomainEvent{"Plain", 0, {{"n", 1}}}), domain::SchemaVersionError);
}

TEST(Codec, LeavesOtherTypesAlone) {
    EXPECT_FALSE(TestEvents::decode(DomainEvent{"SomethingElse", 1, nlohmann::json::object()}).has_value());
    EXPECT_TRUE(TestEvents::knows("Plain"));
    EXPECT_FALSE(TestEvents::knows("plain"));
}

TEST(Codec, EveryIdentityEventSurvivesARoundTrip) {
    const std::vector<di::UserEvents::Event> users{
        di::UserRegistered{di::UserId("u1"), "ada@example.org", "Ada", "Lovelace", di::Role::Instructor, "$argon2id$x",
                           7},
        di::UserProfileUpdated{std::nullopt, std::string("King"), std::string(""), 8},
        di::UserPasswordChanged{"$argon2id$y", 9},
        di::UserPasswordResetRequested{di::UserId("u1"), di::ResetId("r1"), "abc", 100, 10},
        di::UserPasswordReset{di::ResetId("r1"), "$argon2id$z", 11},
        di::UserBanned{"spam", 12},
        di::UserActivated{13},
        di::UserErased{14},
    };
    for (const auto& e : users) {
        const auto stored = di::UserEvents::encode(e);
        const auto back = di::UserEvents::decode(stored);
        ASSERT_TRUE(back.has_value()) << stored.type;
        EXPECT_EQ(di::UserEvents::encode(*back).data, stored.data) << stored.type;
        EXPECT_EQ(back->index(), e.index()) << stored.type;
    }
    const std::vector<di::SessionEvents::Event> sessions{
        di::SessionStarted{di::SessionId("s1"), di::UserId("u1"), "h1", 100, 1},
        di::SessionRefreshed{"h1", "h2", 200, 2},
        di::SessionRevoked{"logout", 3},
    };
    for (const auto& e : sessions) {
        const auto stored = di::SessionEvents::encode(e);
        EXPECT_EQ(di::SessionEvents::encode(*di::SessionEvents::decode(stored)).data, stored.data) << stored.type;
    }
    // A profile update names only what changed.
    EXPECT_FALSE(di::UserEvents::encode(users[1]).data.contains("firstName"));
}

TEST(StreamCategories, NameTheContextOfAStreamAndKeepUnclaimedCategories) {
    domain::StreamCategories categories(std::initializer_list<domain::StreamCategory>{{"course", "catalog"}});
    for (const auto& c : di::kCategories) categories.add(c);
    EXPECT_EQ(categories.contextOf("user-0193a1b2"), "identity");
    EXPECT_EQ(categories.contextOf("session-1"), "identity");
    EXPECT_EQ(categories.contextOf("course-abc"), "catalog");
    EXPECT_EQ(categories.contextOf("enrollment-u1-c1"), "enrollment");
    EXPECT_EQ(categories.contextOf("Weird Thing-1"), "weird_thing");
    EXPECT_EQ(categories.contextOf("-x"), "misc");
    EXPECT_THROW(categories.add({"course", "payments"}), std::invalid_argument);
    EXPECT_NO_THROW(categories.add({"course", "catalog"}));  // the same claim twice is harmless
}

TEST(IdentityIds, StreamNamesAreMadeAndReadInOnePlace) {
    EXPECT_EQ(di::userStream(di::UserId("abc")), "user-abc");
    EXPECT_EQ(di::sessionStream(di::SessionId("s-1")), "session-s-1");
    EXPECT_EQ(di::userOfStream("user-abc")->value(), "abc");
    EXPECT_EQ(di::sessionOfStream("session-s-1")->value(), "s-1");
    EXPECT_FALSE(di::userOfStream("session-abc").has_value());
    EXPECT_FALSE(di::userOfStream("userx-abc").has_value());
    EXPECT_FALSE(di::userOfStream("user-").has_value());
}

}  // namespace lms
