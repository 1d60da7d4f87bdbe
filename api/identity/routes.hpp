#pragma once
// Identity over HTTP: registration and sign-in with rotating refresh tokens, the caller's
// account, password changes and resets, and the admin's user management. Thin: each handler
// parses the request (api/http), runs a use case (commands.hpp) or a query
// (projections/identity/queries.hpp), and maps the result to a status.
#include <memory>

#include "api/context.hpp"
#include "api/http/rate_limit.hpp"
#include "api/identity/auth.hpp"
#include "api/identity/commands.hpp"
#include "common/background.hpp"

namespace lms::identity {

// Requests per minute per account (per client IP: 3×) on the sign-in routes, and the clients each
// limiter tracks at most.
struct RateLimits {
    int registerPerMin = 10, loginPerMin = 10, refreshPerMin = 30, resetPerMin = 5;
    std::size_t maxKeys = http::RateLimiter::kDefaultMaxKeys;
    static RateLimits from(const Config& config);
};

class Routes final : public api::HttpSide {
public:
    Routes(api::Services& services, Settings settings, TokenSettings tokens, RateLimits limits);
    void mount(http::Router& router) override;
    void start() override;
    void stop() override;
    Auth& auth() { return auth_; }

    http::Response registerAccount(http::Request& req);
    http::Response login(http::Request& req);
    http::Response refresh(http::Request& req);
    http::Response logout(http::Request& req);
    http::Response me(http::Request& req);
    http::Response updateMe(http::Request& req);
    http::Response deleteMe(http::Request& req);
    http::Response changePassword(http::Request& req);
    http::Response forgotPassword(http::Request& req);
    http::Response resetPassword(http::Request& req);
    http::Response adminList(http::Request& req);
    http::Response adminSetStatus(http::Request& req, bool ban);

private:
    Commands commands(pg::Connection& c);
    std::optional<http::Response> limited(http::RateLimiter& limiter, const std::string& key, const http::Request& req);
    // The signed-in admin, or the 401/403 to answer.
    expected<http::Principal, http::Response> admin(const http::Request& req);

    api::Services& services_;
    Settings settings_;
    RateLimits limits_;
    Auth auth_;
    http::RateLimiter registerPerAccount_, loginPerAccount_, resetPerAccount_, refreshPerSession_, passwordPerAccount_;
    Background deferred_;  // password resets, done after answering
};

}  // namespace lms::identity
