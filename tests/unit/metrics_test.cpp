#include <gtest/gtest.h>

#include "common/metrics.hpp"

namespace lms {

TEST(Metrics, RendersPrometheusHistogramsCountersAndGauges) {
    metrics::Registry r;
    r.observe("req_seconds", "latency", {{"route", "/a"}, {"status", "200"}}, 0.003);
    r.observe("req_seconds", "latency", {{"route", "/a"}, {"status", "200"}}, 0.2);
    r.increment("things_total", "things", {{"kind", "x\"y"}});
    r.set("lag", "lag", {}, 42);
    const auto text = r.render();
    EXPECT_NE(text.find("# TYPE req_seconds histogram"), std::string::npos);
    EXPECT_NE(text.find("req_seconds_bucket{route=\"/a\",status=\"200\",le=\"0.0025\"} 0"), std::string::npos) << text;
    EXPECT_NE(text.find("req_seconds_bucket{route=\"/a\",status=\"200\",le=\"0.005\"} 1"), std::string::npos);
    EXPECT_NE(text.find("req_seconds_bucket{route=\"/a\",status=\"200\",le=\"+Inf\"} 2"), std::string::npos);
    EXPECT_NE(text.find("req_seconds_count{route=\"/a\",status=\"200\"} 2"), std::string::npos);
    EXPECT_NE(text.find("things_total{kind=\"x\\\"y\"} 1"), std::string::npos) << text;
    EXPECT_NE(text.find("# TYPE lag gauge\nlag 42\n"), std::string::npos) << text;
}

}  // namespace lms

#include "api/rate_limit.hpp"

namespace lms {

TEST(RateLimiter, AllowsABurstThenRefillsAtTheRateWithRetryAfter) {
    api::RateLimiter limit("login", 6.0, 3.0);  // 6 per minute: one token every 10 s
    const auto t0 = api::RateLimiter::Clock::now();
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limit.take("1.2.3.4", t0).allowed);
    const auto refused = limit.take("1.2.3.4", t0);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retryAfterSeconds, 10);
    EXPECT_TRUE(limit.take("5.6.7.8", t0).allowed) << "buckets are per client";
    EXPECT_FALSE(limit.take("1.2.3.4", t0 + std::chrono::seconds(9)).allowed);
    EXPECT_TRUE(limit.take("1.2.3.4", t0 + std::chrono::seconds(20)).allowed);
}

}  // namespace lms
