#pragma once
// A sign-in session (stream session-<id>): the family of refresh tokens that one login starts.
// Refresh tokens are 256-bit random values of which only sha256 is ever stored. Each use rotates
// the token; presenting a token that was already rotated means it was stolen or replayed, and
// revokes the whole session (OAuth 2.0 Security BCP, refresh token rotation). Pure.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "domain/core/decider.hpp"
#include "domain/identity/events.hpp"

namespace lms::domain::identity {

struct StartSession {
    SessionId sessionId;
    UserId userId;
    std::string tokenHash;  // hex sha256 of the first refresh token
    std::int64_t expiresAt = 0;
    std::int64_t at = 0;
};
struct RotateRefreshToken {
    std::string presentedHash;
    std::string newHash;
    std::int64_t expiresAt = 0;
    std::int64_t at = 0;
};
struct RevokeSession {
    std::string reason;  // logout, password_changed, user_banned, user_erased, refresh_token_reuse
    std::int64_t at = 0;
};

struct Session : EventSourced<Session, SessionEvents> {
    using EventSourced::evolve;
    using Command = std::variant<StartSession, RotateRefreshToken, RevokeSession>;
    struct State {
        bool exists = false;
        bool revoked = false;
        SessionId sessionId;
        UserId userId;
        std::string currentHash;
        std::vector<std::string> rotatedHashes;
        std::int64_t expiresAt = 0;
    };
    static State initial() { return {}; }
    static State evolve(State s, const SessionEvents::Event& e);
    // RotateRefreshToken with a rotated token decides SessionRevoked (reason refresh_token_reuse):
    // the caller stores it and refuses the request.
    static Decision decide(const State& s, const Command& c);
};
static_assert(Decider<Session>);

}  // namespace lms::domain::identity
