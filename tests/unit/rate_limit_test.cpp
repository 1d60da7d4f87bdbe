// The per-client token bucket behind the rate-limited routes, on a clock of its own. No I/O.
#include "api/http/rate_limit.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "common/metrics.hpp"

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

TEST(RateLimiter, HoldsAtMostMaxKeysWhileALimitedClientStaysLimited) {
    http::RateLimiter limit("flooded", 6.0, 3.0, 1000);  // one token every 10 s
    const auto t0 = http::RateLimiter::Clock::now();
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limit.take("victim@example.com", t0).allowed);
    ASSERT_FALSE(limit.take("victim@example.com", t0).allowed);
    // 200,000 fresh keys within 5 s, each after its first request holding burst - 1 = 2 tokens,
    // more than the victim's (under 1 for the next 10 s): the fullest of 8 sampled buckets is
    // evicted, so the victim goes only if all 8 samples are the victim, (1/1000)^8 per key.
    std::size_t most = 0;
    for (int i = 0; i < 200000; ++i) {
        const auto at = t0 + std::chrono::microseconds(25 * i);
        EXPECT_TRUE(limit.take("flood-" + std::to_string(i) + "@example.com", at).allowed) << "new clients get in";
        most = std::max(most, limit.size());
    }
    EXPECT_LE(most, 1000u);
    EXPECT_EQ(limit.size(), 1000u);
    const auto refused = limit.take("victim@example.com", t0 + std::chrono::seconds(5));
    EXPECT_FALSE(refused.allowed) << "the flood evicted the limited client";
    EXPECT_EQ(refused.retryAfterSeconds, 5) << "its bucket is the one it drained, not a new one";
    const auto text = metrics::Registry::global().render();
    EXPECT_NE(text.find("lms_rate_limiter_keys{limiter=\"flooded\"} 1000\n"), std::string::npos) << text;
}

TEST(RateLimiter, WhenFullForgetsRefilledBucketsBeforeAnyOther) {
    http::RateLimiter limit("sweep", 6.0, 3.0, 10);
    const auto t0 = http::RateLimiter::Clock::now();
    for (int i = 0; i < 9; ++i) EXPECT_TRUE(limit.take("idle-" + std::to_string(i), t0).allowed);
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limit.take("busy", t0 + std::chrono::seconds(10)).allowed);
    ASSERT_EQ(limit.size(), 10u);
    // At t0 + 15 s the idle buckets are full again (one token back in 10 s); "busy" holds 0.5.
    EXPECT_TRUE(limit.take("newcomer", t0 + std::chrono::seconds(15)).allowed);
    EXPECT_EQ(limit.size(), 2u) << "the nine refilled buckets were swept, not sampled";
    EXPECT_FALSE(limit.take("busy", t0 + std::chrono::seconds(15)).allowed);
}

TEST(RateLimiter, KeysOfAnyLengthCostTheSame) {
    http::RateLimiter limit("long-keys", 6.0, 1.0, 10);
    const auto t0 = http::RateLimiter::Clock::now();
    const std::string longKey(60000, 'a');
    EXPECT_TRUE(limit.take(longKey, t0).allowed);
    EXPECT_FALSE(limit.take(longKey, t0).allowed);
    EXPECT_TRUE(limit.take(longKey + "b", t0).allowed) << "a key is its whole text";
    EXPECT_EQ(limit.size(), 2u);
}

}  // namespace lms
