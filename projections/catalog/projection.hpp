#pragma once
#include "projections/projection.hpp"

namespace lms::projections::catalog {

// The catalog read model: courses (every status, deleted ones as tombstones no public query
// returns), every slug a course ever had, sections and lectures in order, and a full-text
// document per course (title weighted above tags above description; unaccented, so that `cafe`
// finds `Café`). Applied inline by the catalog commands (read-your-writes) and by the runner;
// every write is guarded by the stream version. Queries: queries.hpp.
class Catalog final : public Projection {
public:
    std::string name() const override { return "catalog"; }
    int version() const override { return 1; }
    std::vector<std::string> tables() const override;
    std::string ddl() const override;
    void apply(pg::Connection& c, const eventstore::RecordedEvent& e) override;
};

}  // namespace lms::projections::catalog
