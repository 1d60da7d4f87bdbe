// The shared shapes of the core: metadata (stream categories: codec_test.cpp). No I/O.
#include <gtest/gtest.h>

#include "domain/core/event.hpp"

namespace lms {

TEST(Metadata, RoundTripsAndOmitsEmptyFields) {
    domain::Metadata m{"actor-1", "req-2", ""};
    const auto j = m.toJson();
    EXPECT_FALSE(j.contains("causationId"));
    const auto back = domain::Metadata::fromJson(j);
    EXPECT_EQ(back.actorId, "actor-1");
    EXPECT_EQ(back.correlationId, "req-2");
}

}  // namespace lms
