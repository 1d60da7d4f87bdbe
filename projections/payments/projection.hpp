#pragma once
#include "projections/projection.hpp"

namespace lms::projections::payments {

// The payments read model: one row per payment with its status and the provider's ids (how a
// notice finds its payment). Applied inline by the payments commands and by the runner; every
// write is guarded by the stream version. Queries: queries.hpp.
class Payments final : public Projection {
public:
    std::string name() const override { return "payments"; }
    int version() const override { return 1; }
    std::vector<std::string> tables() const override { return {"payments"}; }
    std::string ddl() const override;
    void apply(pg::Connection& c, const eventstore::RecordedEvent& e) override;
};

}  // namespace lms::projections::payments
