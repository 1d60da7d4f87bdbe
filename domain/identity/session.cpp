#include "domain/identity/session.hpp"

#include <algorithm>

namespace lms::domain::identity {
namespace {

using Kind = DomainError::Kind;

DomainError invalidToken() {
    return {Kind::Unauthenticated, "invalid_refresh_token", "the refresh token is not valid", "", {}};
}

template <class E>
Decision one(const E& event) {
    return std::vector<DomainEvent>{SessionEvents::encode(event)};
}

}  // namespace

Session::State Session::evolve(State n, const SessionEvents::Event& event) {
    std::visit(Overloaded{
                   [&](const SessionStarted& e) {
                       n.exists = true;
                       n.sessionId = e.sessionId;
                       n.userId = e.userId;
                       n.currentHash = e.tokenHash;
                       n.expiresAt = e.expiresAt;
                   },
                   [&](const SessionRefreshed& e) {
                       n.rotatedHashes.push_back(n.currentHash);
                       n.currentHash = e.tokenHash;
                       n.expiresAt = e.expiresAt;
                   },
                   [&](const SessionRevoked&) { n.revoked = true; },
               },
               event);
    return n;
}

Decision Session::decide(const State& s, const Command& command) {
    return std::visit(
        Overloaded{
            [&](const StartSession& c) -> Decision {
                if (s.exists)
                    return unexpected(DomainError{Kind::Conflict, "session_exists", "the session exists", "", {}});
                return one(SessionStarted{c.sessionId, c.userId, c.tokenHash, c.expiresAt, c.at});
            },
            [&](const RotateRefreshToken& c) -> Decision {
                if (!s.exists || s.revoked) return unexpected(invalidToken());
                if (std::find(s.rotatedHashes.begin(), s.rotatedHashes.end(), c.presentedHash) != s.rotatedHashes.end()) {
                    // A token already rotated away was presented: stolen or replayed. The caller
                    // stores the revocation and refuses the request.
                    return one(SessionRevoked{"refresh_token_reuse", c.at});
                }
                if (c.presentedHash != s.currentHash || s.expiresAt <= c.at) return unexpected(invalidToken());
                return one(SessionRefreshed{c.presentedHash, c.newHash, c.expiresAt, c.at});
            },
            [&](const RevokeSession& c) -> Decision {
                if (!s.exists) return unexpected(invalidToken());
                if (s.revoked) return std::vector<DomainEvent>{};
                return one(SessionRevoked{c.reason, c.at});
            },
        },
        command);
}

}  // namespace lms::domain::identity
