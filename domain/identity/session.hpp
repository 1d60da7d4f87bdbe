#pragma once
// A sign-in session (stream session-<id>): the family of refresh tokens that one login starts.
// Refresh tokens are 256-bit values the caller derives from a server key, the session id and the
// token they replace, so that a token's successor is always the same one (only sha256 is known
// here, sealed in the events). Each use
// rotates the token; presenting a token that was already rotated means it was stolen or replayed,
// and revokes the whole session (OAuth 2.0 Security BCP, refresh token rotation), except for the
// token rotated away last, within a short grace period: two tabs refreshing at once, or a client
// that lost the answer and retries, are handed the same successor instead of being signed out.
// A session belongs to one credential version of its user (how many times the password was
// changed or reset): refreshed under another, it is revoked. Pure.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "domain/core/decider.hpp"
#include "domain/identity/events.hpp"

namespace lms::domain::identity {

// How long the token rotated away last still answers with its successor.
inline constexpr std::int64_t kRefreshGraceUs = 30'000'000;

struct StartSession {
    SessionId sessionId;
    UserId userId;
    std::string tokenHash;  // hex sha256 of the first refresh token
    std::int64_t expiresAt = 0;
    std::int64_t at = 0;
    std::int64_t credentialVersion = 0;  // the user's, as the password was checked
};
struct RotateRefreshToken {
    std::string presentedHash;
    std::string newHash;  // hex sha256 of the presented token's successor
    std::int64_t expiresAt = 0;
    std::int64_t at = 0;
    std::int64_t credentialVersion = 0;  // the user's now
    std::int64_t graceUs = kRefreshGraceUs;
};
struct RevokeSession {
    std::string reason;  // logout, password_changed, user_banned, user_erased, refresh_token_reuse
    std::int64_t at = 0;
};
// The password was changed from this session: it carries on under the new version.
struct RenewCredentials {
    std::int64_t credentialVersion = 0;
    std::int64_t at = 0;
};

struct Session : EventSourced<Session, SessionEvents> {
    using EventSourced::evolve;
    using Command = std::variant<StartSession, RotateRefreshToken, RevokeSession, RenewCredentials>;
    struct State {
        bool exists = false;
        bool revoked = false;
        SessionId sessionId;
        UserId userId;
        std::string currentHash;
        std::string previousHash;  // the token rotated away last, and when
        std::int64_t rotatedAt = 0;
        std::vector<std::string> rotatedHashes;  // every token rotated away, previousHash included
        std::int64_t expiresAt = 0;
        std::int64_t credentialVersion = 0;
    };
    static State initial() { return {}; }
    static State evolve(State s, const SessionEvents::Event& e);
    // RotateRefreshToken decides one of:
    // - SessionRefreshed (the current token, not expired): the caller hands out the new token;
    // - SessionRefreshRepeated (the token rotated away last, within graceUs of its rotation, whose
    //   successor is the current token): the caller hands out that successor again;
    // - SessionRevoked refresh_token_reuse (any other rotated token), or credentials_changed
    //   (a valid token under another credential version): the caller stores it and refuses.
    static Decision decide(const State& s, const Command& c);
};
static_assert(Decider<Session>);

}  // namespace lms::domain::identity
