// Prometheus text rendering of the metrics registry. No I/O.
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
