#pragma once
#include "projections/projection.hpp"

namespace lms::projections::identity {

// The identity read model: users (personal fields opened with the user's key), sign-in sessions,
// the refresh-token hashes that lead to a session, and outstanding password-reset token hashes.
// Applied inline by the identity commands (read-your-writes) and by the runner; every write is
// guarded by the stream version, so an event applied twice changes nothing. An erased user's row
// stays as a tombstone (status DELETED, no personal field): a runner that read the registration
// before the erasure committed cannot bring the person back. Queries: queries.hpp.
class Identity final : public Projection {
public:
    std::string name() const override { return "identity"; }
    // 3: email_norm is unique (one account per address, whatever the store's own check missed).
    // 4: credential versions of users and sessions; secrets sealed in the events are opened.
    int version() const override { return 4; }
    std::vector<std::string> tables() const override {
        return {"users", "sessions", "refresh_tokens", "password_resets"};
    }
    std::string ddl() const override;
    void apply(pg::Connection& c, const eventstore::RecordedEvent& e) override;
};

}  // namespace lms::projections::identity
