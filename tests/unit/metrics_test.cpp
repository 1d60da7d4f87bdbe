// Prometheus text rendering of the metrics registry. No I/O.
#include <gtest/gtest.h>

#include "common/metrics.hpp"

#include <string>

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

namespace {

// The lines of `text` that start with `prefix`.
int linesStartingWith(const std::string& text, const std::string& prefix) {
    int n = 0;
    for (std::size_t at = 0; at < text.size();) {
        const auto end = text.find('\n', at);
        if (text.compare(at, prefix.size(), prefix) == 0) ++n;
        if (end == std::string::npos) break;
        at = end + 1;
    }
    return n;
}

}  // namespace

TEST(Metrics, AFullFamilyFoldsFurtherLabelSetsIntoOneOverflowSeriesAndCountsThem) {
    metrics::Registry r;
    r.setMaxSeries(100);
    for (int i = 0; i < 5000; ++i) r.observe("req_seconds", "latency", {{"client", std::to_string(i)}}, 0.003);
    r.observe("req_seconds", "latency", {{"client", "7"}}, 0.2);  // an existing series still records
    for (int i = 0; i < 5000; ++i) r.increment("hits_total", "hits", {{"client", std::to_string(i)}});
    const auto text = r.render();
    EXPECT_EQ(linesStartingWith(text, "req_seconds_count{"), 100 + 1) << "100 series and the overflow one";
    EXPECT_EQ(linesStartingWith(text, "hits_total{"), 100 + 1);
    EXPECT_NE(text.find("req_seconds_count{overflow=\"true\"} 4900\n"), std::string::npos) << text;
    EXPECT_NE(text.find("req_seconds_bucket{overflow=\"true\",le=\"0.005\"} 4900\n"), std::string::npos);
    EXPECT_NE(text.find("req_seconds_count{client=\"7\"} 2\n"), std::string::npos);
    EXPECT_EQ(text.find("client=\"100\""), std::string::npos) << "the 101st label set made no series";
    EXPECT_NE(text.find("hits_total{overflow=\"true\"} 4900\n"), std::string::npos);
    EXPECT_NE(text.find("lms_metrics_series_dropped_total{family=\"req_seconds\"} 4900\n"), std::string::npos);
    EXPECT_NE(text.find("lms_metrics_series_dropped_total{family=\"hits_total\"} 4900\n"), std::string::npos);
    // Still the text format: HELP and TYPE once per family.
    EXPECT_EQ(linesStartingWith(text, "# TYPE req_seconds "), 1);
    EXPECT_EQ(linesStartingWith(text, "# TYPE lms_metrics_series_dropped_total counter"), 1);
    EXPECT_EQ(linesStartingWith(text, "# HELP lms_metrics_series_dropped_total "), 1);
}

TEST(Metrics, AGaugeInAFullFamilyKeepsItsSeriesAndTheLastOverflowValue) {
    metrics::Registry r;
    r.setMaxSeries(2);
    r.set("lag", "lag", {{"p", "a"}}, 1);
    r.set("lag", "lag", {{"p", "b"}}, 2);
    r.set("lag", "lag", {{"p", "c"}}, 3);
    r.set("lag", "lag", {{"p", "d"}}, 4);
    r.set("lag", "lag", {{"p", "a"}}, 5);
    const auto text = r.render();
    EXPECT_NE(text.find("lag{overflow=\"true\"} 4\nlag{p=\"a\"} 5\nlag{p=\"b\"} 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("lms_metrics_series_dropped_total{family=\"lag\"} 2\n"), std::string::npos) << text;
}

}  // namespace lms
