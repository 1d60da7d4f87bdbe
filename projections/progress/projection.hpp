#pragma once
#include "projections/projection.hpp"

namespace lms::projections::progress {

// The progress read model: per enrollment, the lectures completed since the last reset and when
// the course was completed. Percentages are computed when read, against the catalog's lectures
// of the moment (queries.hpp). Applied inline by the progress commands and by the runner; every
// write is guarded by the stream version.
class ProgressProjection final : public Projection {
public:
    std::string name() const override { return "progress"; }
    int version() const override { return 1; }
    std::vector<std::string> tables() const override { return {"progress", "progress_lectures"}; }
    std::string ddl() const override;
    void apply(pg::Connection& c, const eventstore::RecordedEvent& e) override;
};

}  // namespace lms::projections::progress
