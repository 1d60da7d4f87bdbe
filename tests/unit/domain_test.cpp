// The shared shapes of the core: stream contexts and metadata. No I/O.
#include <gtest/gtest.h>

#include "domain/core/event.hpp"

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

}  // namespace lms
