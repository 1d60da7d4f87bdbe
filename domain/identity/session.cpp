#include "domain/identity/session.hpp"

#include <algorithm>

namespace lms::domain::identity {
namespace {

using Kind = DomainError::Kind;

std::string text(const nlohmann::json& d, const char* k) {
    const auto it = d.find(k);
    return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
}

DomainError invalidToken() {
    return {Kind::Validation, "invalid_refresh_token", "the refresh token is not valid", "refreshToken", {}};
}

}  // namespace

Session::State Session::evolve(const State& s, const DomainEvent& e) {
    State n = s;
    const auto& d = e.data;
    if (e.type == "SessionStarted") {
        n.exists = true;
        n.sessionId = text(d, "sessionId");
        n.userId = text(d, "userId");
        n.currentHash = text(d, "tokenHash");
        n.expiresAt = d.value("expiresAt", std::int64_t{0});
    } else if (e.type == "SessionRefreshed") {
        n.rotatedHashes.push_back(n.currentHash);
        n.currentHash = text(d, "tokenHash");
        n.expiresAt = d.value("expiresAt", std::int64_t{0});
    } else if (e.type == "SessionRevoked") {
        n.revoked = true;
    }
    return n;
}

Decision Session::decide(const State& s, const Command& command) {
    if (const auto* c = std::get_if<StartSession>(&command)) {
        if (s.exists) return unexpected(DomainError{Kind::Conflict, "session_exists", "the session exists", "", {}});
        return std::vector<DomainEvent>{{"SessionStarted",
                                         1,
                                         {{"sessionId", c->sessionId},
                                          {"userId", c->userId},
                                          {"tokenHash", c->tokenHash},
                                          {"expiresAt", c->expiresAt},
                                          {"at", c->at}}}};
    }
    if (!s.exists) return unexpected(invalidToken());
    if (const auto* c = std::get_if<RotateRefreshToken>(&command)) {
        if (s.revoked) return unexpected(invalidToken());
        if (std::find(s.rotatedHashes.begin(), s.rotatedHashes.end(), c->presentedHash) != s.rotatedHashes.end()) {
            return std::vector<DomainEvent>{
                {"SessionRevoked", 1, {{"reason", "refresh_token_reuse"}, {"at", c->at}}}};
        }
        if (c->presentedHash != s.currentHash || s.expiresAt <= c->at) return unexpected(invalidToken());
        return std::vector<DomainEvent>{{"SessionRefreshed",
                                         1,
                                         {{"previousTokenHash", c->presentedHash},
                                          {"tokenHash", c->newHash},
                                          {"expiresAt", c->expiresAt},
                                          {"at", c->at}}}};
    }
    const auto& c = std::get<RevokeSession>(command);
    if (s.revoked) return std::vector<DomainEvent>{};
    return std::vector<DomainEvent>{{"SessionRevoked", 1, {{"reason", c.reason}, {"at", c.at}}}};
}

}  // namespace lms::domain::identity
