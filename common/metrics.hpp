#pragma once
// A small Prometheus registry: counters and histograms with labels, rendered in the text
// exposition format (version 0.0.4). Thread-safe; recording is a mutex, two map lookups and a few
// additions. Each family holds at most maxSeries label sets, so that memory and the scrape stay
// bounded whatever values reach the labels.
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace lms::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Registry {
public:
    static Registry& global();
    // Observes a duration (seconds) in the histogram `name` with these labels.
    void observe(const std::string& name, const std::string& help, const Labels& labels, double seconds);
    // The same, with the labels already rendered by labelKey(): for a caller on a hot path that
    // keeps the rendered keys of the few label sets it uses.
    void observeSeries(const std::string& name, const std::string& help, const std::string& labelKey, double seconds);
    // {k="v",...} as the exposition format writes it (values escaped).
    static std::string labelKey(const Labels& labels) { return renderLabels(labels); }
    void increment(const std::string& name, const std::string& help, const Labels& labels, double by = 1);
    // Sets a gauge to a value.
    void set(const std::string& name, const std::string& help, const Labels& labels, double value);
    std::string render() const;
    // Caps the label sets of every family (LMS_METRICS_MAX_SERIES). A full family makes no new
    // series: a further label set's observation goes to the family's one `overflow="true"`
    // series and is counted in lms_metrics_series_dropped_total{family="<name>"}. Series already
    // made keep recording; lowering the cap removes none.
    void setMaxSeries(std::size_t n);

    static constexpr std::size_t kDefaultMaxSeries = 2000;
    static constexpr const char* kOverflowLabels = "{overflow=\"true\"}";
    static constexpr const char* kDroppedFamily = "lms_metrics_series_dropped_total";

    static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

private:
    struct Histogram {
        std::array<std::uint64_t, kBuckets.size()> counts{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    struct Family {
        std::string help;
        std::string type;
        std::map<std::string, Histogram> histograms;  // by rendered label set
        std::map<std::string, double> values;
    };
    static std::string renderLabels(const Labels& labels);
    // The family `name`, made with its help text and type when new; call with m_ held.
    Family& family(const std::string& name, const std::string& help, const char* type);
    // The series `key` of the family `name`, made when there is room, else the family's overflow
    // series (the refusal counted); call with m_ held.
    template <class Series>
    Series& series(const std::string& name, std::map<std::string, Series>& all, const std::string& key);
    mutable std::mutex m_;
    std::map<std::string, Family> families_;
    std::size_t maxSeries_ = kDefaultMaxSeries;
};

}  // namespace lms::metrics
