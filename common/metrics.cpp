#include "common/metrics.hpp"

#include <charconv>

namespace lms::metrics {
namespace {

// The shortest text that reads back as the same double (0.0025, not 0.0025000000000000001).
std::string number(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

std::string withLabel(const std::string& labels, const std::string& extra) {
    if (labels.empty()) return "{" + extra + "}";
    return labels.substr(0, labels.size() - 1) + "," + extra + "}";
}

}  // namespace

Registry& Registry::global() {
    static Registry r;
    return r;
}

std::string Registry::renderLabels(const Labels& labels) {
    if (labels.empty()) return "";
    std::string s = "{";
    for (const auto& [k, v] : labels) {
        if (s.size() > 1) s += ',';
        s += k + "=\"";
        for (char c : v) {
            if (c == '"' || c == '\\') s += '\\';
            if (c == '\n') {
                s += "\\n";
                continue;
            }
            s += c;
        }
        s += '"';
    }
    return s + "}";
}

Registry::Family& Registry::family(const std::string& name, const std::string& help, const char* type) {
    auto [it, fresh] = families_.try_emplace(name);
    if (fresh) {
        it->second.help = help;
        it->second.type = type;
    }
    return it->second;
}

template <class Series>
Series& Registry::series(const std::string& name, std::map<std::string, Series>& all, const std::string& key) {
    // One lookup in the common case (the series exists); lower_bound is also the insertion hint.
    const auto at = all.lower_bound(key);
    if (at != all.end() && at->first == key) return at->second;
    // The dropped counter's label values are family names, which come from code: it is not capped,
    // so that counting a refusal never refuses.
    if (all.size() < maxSeries_ || name == kDroppedFamily) return all.emplace_hint(at, key, Series{})->second;
    family(kDroppedFamily,
           "Observations put in a family's overflow=\"true\" series because the family had "
           "LMS_METRICS_MAX_SERIES label sets",
           "counter")
        .values[renderLabels({{"family", name}})] += 1;
    return all[kOverflowLabels];
}

void Registry::setMaxSeries(std::size_t n) {
    std::lock_guard lock(m_);
    maxSeries_ = n;
}

void Registry::observe(const std::string& name, const std::string& help, const Labels& labels, double seconds) {
    observeSeries(name, help, renderLabels(labels), seconds);
}

void Registry::observeSeries(const std::string& name, const std::string& help, const std::string& key, double seconds) {
    std::lock_guard lock(m_);
    auto& f = family(name, help, "histogram");
    auto& h = series(name, f.histograms, key);
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) ++h.counts[i];
    }
    ++h.count;
    h.sum += seconds;
}

void Registry::increment(const std::string& name, const std::string& help, const Labels& labels, double by) {
    const auto key = renderLabels(labels);
    std::lock_guard lock(m_);
    auto& f = family(name, help, "counter");
    series(name, f.values, key) += by;
}

void Registry::set(const std::string& name, const std::string& help, const Labels& labels, double value) {
    const auto key = renderLabels(labels);
    std::lock_guard lock(m_);
    auto& f = family(name, help, "gauge");
    series(name, f.values, key) = value;
}

std::string Registry::render() const {
    std::lock_guard lock(m_);
    std::string out;
    for (const auto& [name, f] : families_) {
        out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + f.type + "\n";
        for (const auto& [labels, v] : f.values) out += name + labels + " " + number(v) + "\n";
        for (const auto& [labels, h] : f.histograms) {
            for (std::size_t i = 0; i < kBuckets.size(); ++i) {
                out += name + "_bucket" + withLabel(labels, "le=\"" + number(kBuckets[i]) + "\"") + " " +
                       std::to_string(h.counts[i]) + "\n";
            }
            out += name + "_bucket" + withLabel(labels, "le=\"+Inf\"") + " " + std::to_string(h.count) + "\n";
            out += name + "_sum" + labels + " " + number(h.sum) + "\n";
            out += name + "_count" + labels + " " + std::to_string(h.count) + "\n";
        }
    }
    return out;
}

}  // namespace lms::metrics
