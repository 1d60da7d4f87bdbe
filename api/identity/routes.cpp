#include "api/identity/routes.hpp"

#include <spdlog/spdlog.h>

#include "api/http/body.hpp"
#include "api/http/problem.hpp"
#include "api/http/query.hpp"
#include "common/ids.hpp"
#include "common/sha256.hpp"
#include "domain/identity/user.hpp"

namespace lms::identity {
namespace {

using http::Request;
using http::Response;
using http::problem;
using nlohmann::json;
namespace q = projections::identity;

// The body as a JSON object, or the 400 to answer.
expected<json, Response> object(const Request& req) {
    auto j = http::parseObject(req.body);
    if (!j) return unexpected(problem(400, "malformed_json", j.error(), req.requestId));
    return std::move(*j);
}

std::optional<Response> refusal(const http::Fields& f, const Request& req) {
    if (f.errors.empty()) return std::nullopt;
    return http::invalid(f.errors, req.requestId);
}

}  // namespace

RateLimits RateLimits::from(const Config& config) {
    return {config.rateRegisterPerMin, config.rateLoginPerMin, config.rateRefreshPerMin, config.ratePasswordResetPerMin,
            static_cast<std::size_t>(config.rateMaxKeys)};
}

Routes::Routes(api::Services& services, Settings settings, TokenSettings tokens, RateLimits limits)
    : services_(services),
      settings_(std::move(settings)),
      limits_(limits),
      auth_(services.pool, services.env.clock, std::move(tokens), services.feed),
      registerPerAccount_("register-account", limits.registerPerMin, limits.registerPerMin, limits.maxKeys),
      loginPerAccount_("login-account", limits.loginPerMin, limits.loginPerMin, limits.maxKeys),
      resetPerAccount_("reset-account", limits.resetPerMin, limits.resetPerMin, limits.maxKeys),
      refreshPerSession_("refresh-session", limits.refreshPerMin, limits.refreshPerMin, limits.maxKeys),
      passwordPerAccount_("password-account", limits.loginPerMin, limits.loginPerMin, limits.maxKeys),
      deferred_("password reset", 1024) {
    services.authenticator = &auth_;
}

void Routes::start() {
    deferred_.start();
    try {
        auto conn = services_.pool.acquire();
        if (const int n = commands(*conn).rekeyEmailReservations(); n > 0)
            spdlog::info("identity: {} email reservation(s) re-keyed", n);
    } catch (const pg::Error& e) {
        // The read model may not be built yet: unkeyed reservations still hold their address, and
        // the next start re-keys them.
        spdlog::warn("identity: email reservations not re-keyed: {}", e.what());
    }
}
void Routes::stop() { deferred_.stop(std::chrono::milliseconds(services_.env.config.httpShutdownGraceMs)); }

Commands Routes::commands(pg::Connection& c) {
    return Commands(c, services_.env.clock, settings_,
                    [this](const std::vector<eventstore::RecordedEvent>& events) { services_.feed.committed(events); });
}

std::optional<Response> Routes::limited(http::RateLimiter& limiter, const std::string& key, const Request& req) {
    const auto v = limiter.take(key);
    if (v.allowed) return std::nullopt;
    auto res = problem(429, "rate_limited", "too many attempts for this account; try again later", req.requestId);
    res.headers.push_back({"Retry-After", std::to_string(v.retryAfterSeconds)});
    return res;
}

expected<http::Principal, Response> Routes::admin(const Request& req) {
    auto p = auth_.authenticate(req);
    if (!p) return p;
    if (auto refused = http::requireRole(*p, "ADMIN", req)) return unexpected(std::move(*refused));
    return p;
}

Response Routes::registerAccount(Request& req) {
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    RegisterInput in;
    in.email = f.required("email");
    in.password = f.required("password");
    in.firstName = f.required("firstName");
    in.lastName = f.required("lastName");
    in.role = f.optional("role").value_or("STUDENT");
    f.merge(registrationErrors(in));
    if (auto refused = refusal(f, req)) return *refused;
    if (auto l = limited(registerPerAccount_, domain::identity::normalizeEmail(in.email), req)) return *l;
    auto conn = services_.pool.acquire();
    auto cmd = commands(*conn);
    auto registered = cmd.registerUser(in, http::metadataOf(req, ""));
    if (!registered) return http::fromDomain(registered.error(), req.requestId);
    const auto user = q::findUser(*conn, registered->userId);
    const std::string role = user ? user->role : in.role;
    auto session = cmd.startSession(registered->userId, 0, http::metadataOf(req, registered->userId.value()));
    if (!session) return http::fromDomain(session.error(), req.requestId);
    return auth_.signedIn(201, user ? userJson(*user) : json(nullptr), session->sessionId, session->refreshToken,
                          registered->userId.value(), role);
}

Response Routes::login(Request& req) {
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    const std::string email = domain::identity::normalizeEmail(f.required("email"));
    const std::string password = f.required("password");
    if (auto refused = refusal(f, req)) return *refused;
    if (auto l = limited(loginPerAccount_, email, req)) return *l;
    auto conn = services_.pool.acquire();
    auto in = commands(*conn).signIn(email, password, http::metadataOf(req, ""));
    if (!in) return http::fromDomain(in.error(), req.requestId);
    return auth_.signedIn(200, userJson(in->user), in->session.sessionId, in->session.refreshToken, in->user.id.value(),
                          in->user.role);
}

Response Routes::refresh(Request& req) {
    std::optional<http::Credential> credential;
    if (!req.body.empty()) {
        auto body = object(req);
        if (!body) return body.error();
        http::Fields f(*body);
        if (auto t = f.optional("refreshToken"); t && !t->empty()) credential = http::Credential{*t, false};
        if (auto refused = refusal(f, req)) return *refused;
    }
    if (!credential) credential = http::credentialOf(req, "refresh_token");
    if (!credential) {
        return problem(401, "invalid_refresh_token", "no refresh token was presented", req.requestId,
                       {{"refreshToken", "is required"}});
    }
    auto conn = services_.pool.acquire();
    const auto session = q::sessionOfRefreshToken(*conn, sha256Hex(credential->token));
    if (!session) return problem(401, "invalid_refresh_token", "the refresh token is not valid", req.requestId);
    if (auto refused = http::checkCsrf(req, credential->viaCookie, auth_.csrfProof(*session))) return *refused;
    if (auto l = limited(refreshPerSession_, session->value(), req)) return *l;
    auto rotated = commands(*conn).rotateRefreshToken(*session, credential->token, http::metadataOf(req, ""));
    if (!rotated) return http::fromDomain(rotated.error(), req.requestId);
    return auth_.signedIn(200, std::nullopt, rotated->sessionId, rotated->refreshToken, rotated->userId.value(),
                          rotated->role);
}

Response Routes::logout(Request& req) {
    auto p = auth_.authenticate(req);
    if (!p) return p.error();
    auto conn = services_.pool.acquire();
    auto done = commands(*conn).revokeSession(SessionId(p->sessionId), "logout", http::metadataOf(req, p->userId));
    if (!done) return http::fromDomain(done.error(), req.requestId);
    auto res = http::json(200, {{"message", "signed out"}});
    auth_.clearCookies(res);
    return res;
}

Response Routes::me(Request& req) {
    auto c = auth_.caller(req);
    if (!c) return c.error();
    return Response{200, "application/json", std::move(c->userJson), {}};
}

Response Routes::updateMe(Request& req) {
    auto p = auth_.authenticate(req);
    if (!p) return p.error();
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    auto firstName = f.optional("firstName");
    auto lastName = f.optional("lastName");
    auto bio = f.optional("bio", http::Fields::Lines::Multiple);
    f.onlyThese({"firstName", "lastName", "bio"});
    if (auto refused = refusal(f, req)) return *refused;
    const UserId user(p->userId);
    auto conn = services_.pool.acquire();
    auto done = commands(*conn).updateProfile(user, std::move(firstName), std::move(lastName), std::move(bio),
                                              http::metadataOf(req, p->userId));
    if (!done) return http::fromDomain(done.error(), req.requestId);
    const auto row = q::findUser(*conn, user);
    if (!row) return problem(404, "user_not_found", "no such user", req.requestId);
    return http::json(200, userJson(*row));
}

Response Routes::deleteMe(Request& req) {
    auto p = auth_.authenticate(req);
    if (!p) return p.error();
    auto conn = services_.pool.acquire();
    auto done = commands(*conn).erase(UserId(p->userId), http::metadataOf(req, p->userId));
    if (!done) return http::fromDomain(done.error(), req.requestId);
    Response res{204, "application/json", "", {}};
    auth_.clearCookies(res);
    return res;
}

Response Routes::changePassword(Request& req) {
    auto p = auth_.authenticate(req);
    if (!p) return p.error();
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    const std::string current = f.required("currentPassword");
    const std::string next = f.required("newPassword");
    f.merge(newPasswordErrors(next));
    if (auto refused = refusal(f, req)) return *refused;
    // Each attempt costs an Argon2id verification: limited per account like a sign-in.
    if (auto l = limited(passwordPerAccount_, p->userId, req)) return *l;
    auto conn = services_.pool.acquire();
    auto done = commands(*conn).changePassword(UserId(p->userId), SessionId(p->sessionId), current, next,
                                               http::metadataOf(req, p->userId));
    if (!done) return http::fromDomain(done.error(), req.requestId);
    return http::json(200, {{"message", "password changed; other sessions were signed out"}});
}

Response Routes::forgotPassword(Request& req) {
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    const std::string email = domain::identity::normalizeEmail(f.required("email"));
    if (auto refused = refusal(f, req)) return *refused;
    if (auto l = limited(resetPerAccount_, email, req)) return *l;
    // The same answer, in the same time, either way: whether an account uses the email is not
    // disclosed. The lookup and the reset (an append, and the mail after it) happen once the
    // answer is on its way.
    const bool queued = deferred_.post([this, email, meta = http::metadataOf(req, "")] {
        auto conn = services_.pool.acquire();
        (void)commands(*conn).requestPasswordReset(email, meta);
    });
    if (!queued) spdlog::warn("password reset: the queue is full; a request was dropped");
    return http::json(202, {{"message", "if an account uses this email, a reset link is on its way"}});
}

Response Routes::resetPassword(Request& req) {
    auto body = object(req);
    if (!body) return body.error();
    http::Fields f(*body);
    const std::string token = f.required("token");
    const std::string next = f.required("newPassword");
    f.merge(newPasswordErrors(next));
    if (auto refused = refusal(f, req)) return *refused;
    auto conn = services_.pool.acquire();
    const auto user = q::userOfResetToken(*conn, sha256Hex(token));
    if (!user) {
        return problem(422, "invalid_reset_token", "the reset token is unknown, used or expired", req.requestId,
                       {{"token", "is unknown, used or expired"}});
    }
    if (auto l = limited(resetPerAccount_, user->value(), req)) return *l;
    auto done = commands(*conn).resetPassword(*user, token, next, http::metadataOf(req, user->value()));
    if (!done) return http::fromDomain(done.error(), req.requestId);
    return http::json(200, {{"message", "password changed; sign in with the new one"}});
}

Response Routes::adminList(Request& req) {
    auto p = admin(req);
    if (!p) return p.error();
    http::Query query(req.query);
    const auto page = query.paging();
    q::UserFilter filter;
    filter.role = query.oneOf("role", {"STUDENT", "INSTRUCTOR", "ADMIN"});
    filter.status = query.oneOf("status", {"ACTIVE", "BANNED"});
    filter.search = query.text("q", 200);
    if (!query.errors.empty()) return http::invalid(query.errors, req.requestId, "the query has invalid parameters");
    auto conn = services_.pool.acquire();
    const auto found = q::listUsers(*conn, filter, page);
    json items = json::array();
    for (const auto& u : found.items) items.push_back(userJson(u));
    return http::json(200, http::listBody(std::move(items), found.totalItems, page));
}

Response Routes::adminSetStatus(Request& req, bool ban) {
    auto p = admin(req);
    if (!p) return p.error();
    const std::string id = req.params["id"];
    if (!isUuid(id)) return problem(404, "user_not_found", "no such user", req.requestId);
    std::string reason;
    if (!req.body.empty()) {
        auto body = object(req);
        if (!body) return body.error();
        http::Fields f(*body);
        reason = f.optional("reason", http::Fields::Lines::Multiple).value_or("");
        if (auto refused = refusal(f, req)) return *refused;
    }
    const UserId user(id);
    auto conn = services_.pool.acquire();
    auto cmd = commands(*conn);
    const auto meta = http::metadataOf(req, p->userId);
    auto done = ban ? cmd.ban(user, reason, meta) : cmd.activate(user, meta);
    if (!done) return http::fromDomain(done.error(), req.requestId);
    const auto row = q::findUser(*conn, user);
    if (!row) return problem(404, "user_not_found", "no such user", req.requestId);
    return http::json(200, userJson(*row));
}

void Routes::mount(http::Router& r) {
    auto perIp = [this](const char* name, int perMin) {
        return std::make_shared<http::RateLimiter>(name, perMin, perMin, limits_.maxKeys);
    };
    r.add(
        "POST", "/api/v1/auth/register", [this](Request& q) { return registerAccount(q); },
        perIp("register", limits_.registerPerMin * 3));
    r.add(
        "POST", "/api/v1/auth/login", [this](Request& q) { return login(q); }, perIp("login", limits_.loginPerMin * 3));
    r.add(
        "POST", "/api/v1/auth/refresh", [this](Request& q) { return refresh(q); },
        perIp("refresh", limits_.refreshPerMin * 3));
    r.add("POST", "/api/v1/auth/logout", [this](Request& q) { return logout(q); });
    r.add(
        "POST", "/api/v1/auth/password/forgot", [this](Request& q) { return forgotPassword(q); },
        perIp("password-forgot", limits_.resetPerMin * 3));
    r.add(
        "POST", "/api/v1/auth/password/reset", [this](Request& q) { return resetPassword(q); },
        perIp("password-reset", limits_.resetPerMin * 3));
    r.add("GET", "/api/v1/users/me", [this](Request& q) { return me(q); });
    r.add("PATCH", "/api/v1/users/me", [this](Request& q) { return updateMe(q); });
    r.add("DELETE", "/api/v1/users/me", [this](Request& q) { return deleteMe(q); });
    r.add("POST", "/api/v1/users/me/password", [this](Request& q) { return changePassword(q); });
    r.add("GET", "/api/v1/admin/users", [this](Request& q) { return adminList(q); });
    r.add("PATCH", "/api/v1/admin/users/{id}/ban", [this](Request& q) { return adminSetStatus(q, true); });
    r.add("PATCH", "/api/v1/admin/users/{id}/activate", [this](Request& q) { return adminSetStatus(q, false); });
}

}  // namespace lms::identity
