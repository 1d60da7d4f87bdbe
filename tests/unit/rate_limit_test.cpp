// The per-client token bucket behind the rate-limited routes, on a clock of its own. No I/O.
#include "api/http/rate_limit.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace lms {

TEST(RateLimiter, AllowsABurstThenRefillsAtTheRateWithRetryAfter) {
    http::RateLimiter limit("login", 6.0, 3.0);  // 6 per minute: one token every 10 s
    const auto t0 = http::RateLimiter::Clock::now();
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limit.take("1.2.3.4", t0).allowed);
    const auto refused = limit.take("1.2.3.4", t0);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retryAfterSeconds, 10);
    EXPECT_TRUE(limit.take("5.6.7.8", t0).allowed) << "buckets are per client";
    EXPECT_FALSE(limit.take("1.2.3.4", t0 + std::chrono::seconds(9)).allowed);
    EXPECT_TRUE(limit.take("1.2.3.4", t0 + std::chrono::seconds(20)).allowed);
}

}  // namespace lms
