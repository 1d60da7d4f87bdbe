#pragma once
#include "projections/projection.hpp"

namespace lms::projections {

// The identity read model: users (personal fields opened with the user's key; the row is deleted
// when the user is erased), sign-in sessions, the refresh-token hashes that lead to a session,
// and outstanding password-reset token hashes. Applied inline by the identity commands
// (read-your-writes) and by the runner; every write is guarded by the stream version, so an event
// applied twice changes nothing.
class Identity final : public Projection {
public:
    std::string name() const override { return "identity"; }
    int version() const override { return 1; }
    std::vector<std::string> tables() const override { return {"users", "sessions", "refresh_tokens", "password_resets"}; }
    std::string ddl() const override;
    void apply(pg::Connection& c, const eventstore::RecordedEvent& e) override;
};

}  // namespace lms::projections
