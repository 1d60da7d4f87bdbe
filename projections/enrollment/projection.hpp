#pragma once
#include "projections/projection.hpp"

namespace lms::projections::enrollment {

// The enrollment read model: one row per student and course (the enrollment stream), ACTIVE or
// REVOKED. Applied inline by the enrollment commands (read-your-writes) and by the runner; every
// write is guarded by the stream version. Queries: queries.hpp.
class Enrollments final : public Projection {
public:
    std::string name() const override { return "enrollments"; }
    int version() const override { return 1; }
    std::vector<std::string> tables() const override { return {"enrollments"}; }
    std::string ddl() const override;
    void apply(pg::Connection& c, const eventstore::RecordedEvent& e) override;
};

}  // namespace lms::projections::enrollment
