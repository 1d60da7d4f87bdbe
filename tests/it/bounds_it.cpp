// What a client can grow in the server's memory has a fixed bound, read back from GET /metrics
// over a real socket: the keys of a rate limiter (LMS_RATE_MAX_KEYS) and the series of a metric
// family (LMS_METRICS_MAX_SERIES). No database: /metrics then renders without the lag gauges.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/http/rate_limit.hpp"
#include "api/server.hpp"
#include "common/metrics.hpp"
#include "tests/support/http_client.hpp"

#include <regex>
#include <set>
#include <string>

namespace lms {
namespace {

using test::call;

class Bounds : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("LMS_HTTP_PORT", "0", 1);
        ::setenv("LMS_TRUSTED_PROXIES", "127.0.0.1", 1);
        ::setenv("LMS_RATE_MAX_KEYS", "100", 1);
        ::setenv("LMS_METRICS_MAX_SERIES", "10", 1);
        config_ = Config::fromEnvironment();
        // What `lms serve` does before anything records.
        metrics::Registry::global().setMaxSeries(static_cast<std::size_t>(config_.metricsMaxSeries));
        http::Router router;
        router.add(
            "POST", "/api/v1/limited",
            [](http::Request&) {
                return http::Response{200, "application/json", "{}", {}};
            },
            std::make_shared<http::RateLimiter>("test", 60.0, 2.0, static_cast<std::size_t>(config_.rateMaxKeys)));
        // Nothing listens on port 1: the lag query fails fast and the rest of /metrics renders.
        pool_ = std::make_unique<pg::Pool>("postgresql://127.0.0.1:1/none?connect_timeout=1", 1);
        health_ = std::make_unique<api::HealthProbe>(*pool_, "");
        api::addCoreRoutes(router, *health_, *pool_);
        server_ = std::make_unique<api::Server>(config_, std::move(router));
        server_->start();
        port_ = server_->port();
    }
    void TearDown() override {
        server_->stop();
        for (const char* v : {"LMS_HTTP_PORT", "LMS_TRUSTED_PROXIES", "LMS_RATE_MAX_KEYS", "LMS_METRICS_MAX_SERIES"})
            ::unsetenv(v);
    }
    std::string scrape() {
        auto r = call(port_, "GET", "/metrics");
        EXPECT_EQ(r.status, 200);
        return r.raw;
    }
    Config config_;
    std::unique_ptr<pg::Pool> pool_;
    std::unique_ptr<api::HealthProbe> health_;
    std::unique_ptr<api::Server> server_;
    int port_ = 0;
};

// The value of the sample `series` (name and labels as rendered), or -1 when absent.
double sample(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
}

TEST_F(Bounds, ARateLimiterTracksAtMostMaxKeysClients) {
    for (int i = 0; i < 300; ++i) {
        const std::string client = "198.51." + std::to_string(i / 256) + "." + std::to_string(i % 256);
        EXPECT_EQ(
            call(port_, "POST", "/api/v1/limited", nlohmann::json::object(), {{"X-Forwarded-For", client}}).status, 200)
            << "a new client is let in though the table is full";
    }
    const auto keys = sample(scrape(), "lms_rate_limiter_keys{limiter=\"test\"}");
    EXPECT_GT(keys, 0);
    EXPECT_LE(keys, 100);
}

TEST_F(Bounds, AMetricFamilyHoldsAtMostMaxSeriesLabelSets) {
    // 3 routes (the limited one, /metrics, unmatched) x 7 methods, and made-up methods: more label
    // sets than the cap of 10.
    for (const char* method : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
        for (const char* path : {"/api/v1/limited", "/metrics", "/api/v1/nowhere"}) (void)call(port_, method, path);
    }
    for (int i = 0; i < 100; ++i) (void)call(port_, "X" + std::to_string(i), "/api/v1/limited");
    const auto text = scrape();
    std::set<std::string> series, methods;
    const std::regex count(R"re(\nlms_http_request_duration_seconds_count(\{[^}]*\}) )re");
    for (std::sregex_iterator it(text.begin(), text.end(), count), end; it != end; ++it) series.insert((*it)[1]);
    const std::regex method(R"re(\nlms_http_request_duration_seconds_count\{method="([^"]*)")re");
    for (std::sregex_iterator it(text.begin(), text.end(), method), end; it != end; ++it) methods.insert((*it)[1]);
    EXPECT_LE(series.size(), 10u + 1u) << text;
    EXPECT_EQ(series.count("{overflow=\"true\"}"), 1u) << text;
    EXPECT_GT(sample(text, "lms_metrics_series_dropped_total{family=\"lms_http_request_duration_seconds\"}"), 0) << text;
    for (const auto& m : methods) {
        EXPECT_TRUE(std::set<std::string>({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"}).count(m))
            << m;
    }
}

}  // namespace
}  // namespace lms
