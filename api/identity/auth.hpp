#pragma once
// Identity's side of authentication: access tokens (HS256 JWTs) for signed-in sessions, the
// auth cookies, and the http::Authenticator every context's routes use. A request's token must
// verify, and its session must be active and its user neither banned nor erased: checked from
// the authentication cache (kept exact by the identity events, decision 0009) or one query.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/http/auth.hpp"
#include "api/identity/auth_cache.hpp"
#include "common/clock.hpp"
#include "common/config.hpp"
#include "domain/identity/ids.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/pg.hpp"
#include "projections/identity/queries.hpp"

namespace lms::identity {

struct TokenSettings {
    std::string secret;  // signs access tokens, derives CSRF proofs
    std::string issuer = "lms";
    std::string audience = "lms-api";
    int accessTtlS = 900;
    int refreshTtlS = 2592000;
    bool cookieSecure = true;
    static TokenSettings from(const Config& config, std::string secret);
};

// The account as GET /users/me shows it.
nlohmann::json userJson(const projections::identity::UserRow& u);

// The caller with their account: what /users/me answers from memory.
struct Caller {
    http::Principal principal;
    std::string status;    // ACTIVE (a banned caller is refused before any handler runs)
    std::string userJson;  // serialised once
};

// Access tokens that verified. A token is immutable and the key, issuer and audience are fixed for
// the process, so a token's signature and claims stay valid for as long as it exists; only its
// expiry is checked again (a session's end is the AuthCache's business, checked every request).
// Only verified tokens get in, so forgeries cannot fill it; at kMax entries it starts again.
class VerifiedTokens {
public:
    struct Entry {
        std::string userId;
        std::string sessionId;
        std::int64_t expiresAt = 0;
    };
    std::optional<Entry> get(std::string_view token) const;
    void put(std::string_view token, Entry entry);

private:
    static constexpr std::size_t kMax = 16384;  // ~200 bytes an entry: ~3 MB at most
    mutable std::shared_mutex m_;
    std::unordered_map<std::string, Entry> tokens_;  // by the token's SHA-256
};

class Auth final : public http::Authenticator {
public:
    // Subscribes the cache to the feed; until the feed follows the store, every request reads the database.
    Auth(pg::Pool& pool, const Clock& clock, TokenSettings settings, api::EventFeed& feed);

    expected<http::Principal, http::Response> authenticate(const http::Request& req) override;
    expected<Caller, http::Response> caller(const http::Request& req);

    // The body and cookies of a signed-in answer: `user` (when given), the tokens, the CSRF proof.
    http::Response signedIn(int status, const std::optional<nlohmann::json>& user,
                            const domain::identity::SessionId& session, const std::string& refreshToken,
                            const std::string& userId, const std::string& role) const;
    // Set-Cookie lines that make the browser drop the auth cookies.
    void clearCookies(http::Response& res) const;
    std::string csrfProof(const domain::identity::SessionId& session) const;
    // Evicts from the cache what committed identity events change (as the feed delivers them).
    void observe(const std::vector<eventstore::RecordedEvent>& events);
    const TokenSettings& settings() const { return s_; }

private:
    std::string accessToken(const std::string& userId, const std::string& role, const std::string& sessionId) const;
    void setCookies(http::Response& res, const std::string& access, const std::string& refresh,
                    const std::string& csrf) const;

    pg::Pool& pool_;
    const Clock& clock_;
    TokenSettings s_;
    AuthCache cache_;
    VerifiedTokens tokens_;
};

}  // namespace lms::identity
