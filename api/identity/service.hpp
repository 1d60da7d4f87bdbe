#pragma once
// Identity's HTTP side: sign-in with rotating refresh tokens, the caller's account, password
// changes and resets, and the admin's user management. Handlers are thin: they parse the request,
// run a command (eventstore::handleCommand with the user or session decider) or a query on the
// identity read model, and map the result to a status.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/identity/auth_cache.hpp"
#include "api/rate_limit.hpp"
#include "api/router.hpp"
#include "common/config.hpp"
#include "common/expected.hpp"
#include "common/password.hpp"
#include "eventstore/pg.hpp"

namespace lms::api::identity {

struct Settings {
    std::string secret;  // signs access tokens, derives reset and CSRF tokens
    std::string issuer = "lms";
    std::string audience = "lms-api";
    int accessTtlS = 900;
    int refreshTtlS = 2592000;
    bool cookieSecure = true;
    password::Cost cost;
    int registerPerMin = 10, loginPerMin = 10, refreshPerMin = 30, resetPerMin = 5;
    static Settings from(const Config& config, std::string secret);
};

// Who is calling: from a verified access token whose session and user are still good.
struct Principal {
    std::string userId;
    std::string role;
    std::string sessionId;
    bool viaCookie = false;
    std::string status;    // ACTIVE or BANNED (a banned caller is refused before any handler runs)
    std::string userJson;  // the caller's account as GET /users/me shows it
};

class Service {
public:
    Service(pg::Pool& pool, Settings settings);
    // Starts following the store for the authentication cache (without it, every request reads
    // the database). pollMs bounds how late a wake-up can be when a NOTIFY is lost.
    void start(int pollMs);

    // The caller, or the 401/403 to answer. Checks the token, then (one query) that its session is
    // not revoked and its user neither banned nor erased; cookie-authenticated unsafe requests
    // must also carry the CSRF proof.
    expected<Principal, Response> authenticate(const Request& req);

    Response registerAccount(Request& req);
    Response login(Request& req);
    Response refresh(Request& req);
    Response logout(Request& req);
    Response me(Request& req);
    Response updateMe(Request& req);
    Response deleteMe(Request& req);
    Response changePassword(Request& req);
    Response forgotPassword(Request& req);
    Response resetPassword(Request& req);
    Response adminList(Request& req);
    Response adminBan(Request& req);
    Response adminActivate(Request& req);

    const Settings& settings() const { return s_; }

private:
    struct Issued {
        std::string sessionId, accessToken, refreshToken, csrfToken;
    };
    expected<Issued, Response> startSession(pg::Connection& c, const std::string& userId, const std::string& role,
                                             const Request& req);
    std::string accessToken(const std::string& userId, const std::string& role, const std::string& sessionId);
    Response withSession(Response res, const nlohmann::json& user, const Issued& t);
    // The three auth cookies; empty values clear them.
    void setCookies(Response& res, const std::string& access, const std::string& refresh, const std::string& csrf) const;
    void revokeSessions(pg::Connection& c, const std::string& userId, const std::string& exceptSession,
                        const std::string& reason, const Request& req, const std::string& actor);
    Response setStatus(Request& req, bool ban);
    std::optional<Response> limited(RateLimiter& limiter, const std::string& key, const Request& req);

    pg::Pool& pool_;
    Settings s_;
    std::string dummyHash_;  // verified against when the email is unknown: the same cost as a wrong password
    RateLimiter registerPerAccount_, loginPerAccount_, resetPerAccount_, refreshPerSession_;
    AuthCache cache_;
};

// Adds every identity route, with per-client-IP rate limits on the sign-in routes.
void addRoutes(Router& r, Service& s);

}  // namespace lms::api::identity
