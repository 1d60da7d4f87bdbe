#pragma once
#include "domain/core/categories.hpp"
#include "projections/projection.hpp"

namespace lms::projections {

// One row per stream: its context, version, last event type, who last acted, and when it began
// and last changed. Serves `lms audit`, operators' dashboards, and is the representative read model
// of the rebuild benchmark. A row is a function of the last event applied to it (the version
// guard), which makes applying an event twice harmless.
class StreamActivity final : public Projection {
public:
    explicit StreamActivity(domain::StreamCategories categories) : categories_(std::move(categories)) {}
    std::string name() const override { return "stream_activity"; }
    int version() const override { return 1; }
    std::vector<std::string> tables() const override { return {"stream_activity"}; }
    std::string ddl() const override;
    void applyBatch(pg::Connection& c, const std::vector<eventstore::RecordedEvent>& events) override;
    void apply(pg::Connection& c, const eventstore::RecordedEvent& e) override { applyBatch(c, {e}); }

private:
    domain::StreamCategories categories_;
};

}  // namespace lms::projections
