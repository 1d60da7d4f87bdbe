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
                       n.credentialVersion = e.credentialVersion;
                   },
                   [&](const SessionRefreshed& e) {
                       n.rotatedHashes.push_back(n.currentHash);
                       n.previousHash = n.currentHash;
                       n.rotatedAt = e.at;
                       n.currentHash = e.tokenHash;
                       n.expiresAt = e.expiresAt;
                   },
                   [&](const SessionRefreshRepeated&) {},
                   [&](const SessionCredentialsRenewed& e) { n.credentialVersion = e.credentialVersion; },
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
                return one(SessionStarted{c.sessionId, c.userId, c.tokenHash, c.expiresAt, c.at, c.credentialVersion});
            },
            [&](const RotateRefreshToken& c) -> Decision {
                if (!s.exists || s.revoked || c.presentedHash.empty()) return unexpected(invalidToken());
                const bool current = c.presentedHash == s.currentHash;
                const bool justRotated = !s.previousHash.empty() && c.presentedHash == s.previousHash &&
                                         c.at - s.rotatedAt <= c.graceUs;
                if (current || justRotated) {
                    // A password change or reset since this session began ends it.
                    if (c.credentialVersion != s.credentialVersion)
                        return one(SessionRevoked{"credentials_changed", c.at});
                    if (s.expiresAt <= c.at) return unexpected(invalidToken());
                    if (justRotated) {
                        // Its successor is the current token, unless the tokens were not derived
                        // (a session begun before they were): then it is no longer good.
                        if (c.newHash != s.currentHash) return unexpected(invalidToken());
                        return one(SessionRefreshRepeated{c.at});
                    }
                    return one(SessionRefreshed{c.presentedHash, c.newHash, c.expiresAt, c.at});
                }
                if (std::find(s.rotatedHashes.begin(), s.rotatedHashes.end(), c.presentedHash) != s.rotatedHashes.end()) {
                    // A token already rotated away was presented: stolen or replayed. The caller
                    // stores the revocation and refuses the request.
                    return one(SessionRevoked{"refresh_token_reuse", c.at});
                }
                return unexpected(invalidToken());
            },
            [&](const RevokeSession& c) -> Decision {
                if (!s.exists) return unexpected(invalidToken());
                if (s.revoked) return std::vector<DomainEvent>{};
                return one(SessionRevoked{c.reason, c.at});
            },
            [&](const RenewCredentials& c) -> Decision {
                if (!s.exists) return unexpected(invalidToken());
                // A session revoked meanwhile (a logout in another tab) stays revoked.
                if (s.revoked || s.credentialVersion == c.credentialVersion) return std::vector<DomainEvent>{};
                return one(SessionCredentialsRenewed{c.credentialVersion, c.at});
            },
        },
        command);
}

}  // namespace lms::domain::identity
