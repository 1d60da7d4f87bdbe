#include "api/identity/service.hpp"

#include <Poco/URI.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <map>

#include "api/identity/registration.hpp"
#include "api/request_body.hpp"
#include "common/ids.hpp"
#include "common/jwt.hpp"
#include "common/sha256.hpp"
#include "common/time.hpp"
#include "domain/identity/session.hpp"
#include "domain/identity/user.hpp"
#include "eventstore/command_loop.hpp"
#include "eventstore/personal_data.hpp"

namespace lms::api::identity {
namespace {

using nlohmann::json;
using domain::DomainError;
namespace di = domain::identity;

constexpr std::int64_t kResetTtlUs = 30LL * 60 * 1000000;

std::int64_t nowUs() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Response problemWith(int status, const std::string& code, const std::string& detail,
                     const std::vector<domain::FieldError>& errors, const std::string& requestId) {
    Response r = problem(status, code, "", detail, requestId);
    if (!errors.empty()) {
        auto j = json::parse(r.body);
        j["errors"] = json::array();
        for (const auto& e : errors) j["errors"].push_back({{"field", e.field}, {"message", e.message}});
        r.body = j.dump();
    }
    return r;
}

Response fromDomain(const DomainError& e, const std::string& requestId) {
    int status = 422;
    switch (e.kind) {
        case DomainError::Kind::Validation: status = 422; break;
        case DomainError::Kind::Conflict: status = 409; break;
        case DomainError::Kind::NotFound: status = 404; break;
        case DomainError::Kind::Forbidden: status = 403; break;
    }
    auto errors = e.errors;
    if (errors.empty() && !e.field.empty()) errors.push_back({e.field, e.message});
    return problemWith(status, e.code, e.message, errors, requestId);
}

Response ok(int status, const json& body) { return Response{status, "application/json", body.dump(), {}}; }

// The body as a JSON object, or the 400 to answer.
expected<json, Response> object(const Request& req) {
    auto j = parseObject(req.body);
    if (!j) return unexpected(problem(400, "malformed_json", "", j.error(), req.requestId));
    return std::move(*j);
}

// The password policy's refusal, reported on the field newPassword.
std::optional<Response> newPasswordRefusal(const std::string& next, const Request& req) {
    const auto bad = di::checkPasswordPolicy(next);
    if (!bad) return std::nullopt;
    return problemWith(422, "validation_failed", "the request has invalid fields",
                       {{"newPassword", bad->errors.empty() ? bad->message : bad->errors.front().message}},
                       req.requestId);
}

std::optional<Response> refusal(const Fields& f, const Request& req) {
    if (f.errors.empty()) return std::nullopt;
    return problemWith(422, "validation_failed", "the request has invalid fields", f.errors, req.requestId);
}

std::map<std::string, std::string> cookies(const Request& req) {
    std::map<std::string, std::string> out;
    const auto h = req.headers.find("cookie");
    if (h == req.headers.end()) return out;
    const std::string& s = h->second;
    std::size_t i = 0;
    while (i < s.size()) {
        auto end = s.find(';', i);
        if (end == std::string::npos) end = s.size();
        std::string part = s.substr(i, end - i);
        part.erase(0, part.find_first_not_of(' '));
        const auto eq = part.find('=');
        if (eq != std::string::npos) out.emplace(part.substr(0, eq), part.substr(eq + 1));
        i = end + 1;
    }
    return out;
}

std::string bearer(const Request& req) {
    const auto h = req.headers.find("authorization");
    if (h == req.headers.end()) return {};
    const std::string& v = h->second;
    if (v.size() > 7 && (v.rfind("Bearer ", 0) == 0 || v.rfind("bearer ", 0) == 0)) return v.substr(7);
    return {};
}

std::string randomToken() {
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("no randomness for a refresh token");
    return jwt::base64UrlEncode(std::string(reinterpret_cast<char*>(raw), sizeof raw));
}

std::string tokenHash(const std::string& token) { return toHex(sha256(token)); }

bool constantTimeEquals(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    unsigned char d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
    return d == 0;
}

std::string urlDecode(const std::string& s) {
    std::string out;
    try {
        Poco::URI::decode(s, out, true);
    } catch (const std::exception&) {
        return s;
    }
    return out;
}

bool unsafeMethod(const std::string& m) { return m != "GET" && m != "HEAD" && m != "OPTIONS"; }

domain::Metadata meta(const Request& req, const std::string& actor) { return {actor, req.requestId, ""}; }

// The user at columns from..from+7 of row: user_id, email, first_name, last_name, bio, role, status, created_at.
json userJson(const pg::Result& r, int row, int from = 0) {
    const int c = from;
    return json{{"id", r.str(row, c)},
                {"email", r.str(row, c + 1)},
                {"firstName", r.isNull(row, c + 2) ? json(nullptr) : json(r.str(row, c + 2))},
                {"lastName", r.isNull(row, c + 3) ? json(nullptr) : json(r.str(row, c + 3))},
                {"bio", r.str(row, c + 4)},
                {"role", r.str(row, c + 5)},
                {"status", r.str(row, c + 6)},
                {"createdAt", r.str(row, c + 7)}};
}

// The columns userJson() reads, of lms_rm.users under the alias u.
constexpr const char* kUserColumns =
    "u.user_id::text, u.email, u.first_name, u.last_name, u.bio, u.role, u.status, "
    "to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";

std::optional<json> loadUser(pg::Connection& c, const std::string& userId) {
    const auto r = c.query(std::string("SELECT ") + kUserColumns + " FROM lms_rm.users u WHERE u.user_id = $1::uuid",
                           {userId});
    if (r.rows() == 0) return std::nullopt;
    return userJson(r, 0);
}

bool isUuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char ch = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (ch != '-') return false;
        } else if (!std::isxdigit(static_cast<unsigned char>(ch))) {
            return false;
        }
    }
    return true;
}

// Options of the user stream's commands: personal fields sealed with the user's key, the read
// model updated in the same transaction, and `extra` run there too.
eventstore::CommandOptions userOptions(
    pg::Connection& c,
    std::function<std::optional<DomainError>(pg::Connection&, const std::vector<eventstore::RecordedEvent>&)> extra =
        {}) {
    eventstore::CommandOptions o;
    o.encode = [&c](const std::string& s, domain::DomainEvent e) { return sealPersonalFields(c, s, std::move(e)); };
    o.decode = [&c](const std::string& s, domain::DomainEvent e) { return openPersonalFields(c, s, std::move(e)); };
    o.withinTransaction = [extra](pg::Connection& conn, const std::vector<eventstore::RecordedEvent>& written)
        -> std::optional<DomainError> {
        applyIdentityInline(conn, written);
        if (extra) return extra(conn, written);
        return std::nullopt;
    };
    return o;
}

eventstore::CommandOptions sessionOptions() {
    eventstore::CommandOptions o;
    o.withinTransaction = [](pg::Connection& conn, const std::vector<eventstore::RecordedEvent>& written)
        -> std::optional<DomainError> {
        applyIdentityInline(conn, written);
        return std::nullopt;
    };
    return o;
}

std::string cookie(const std::string& name, const std::string& value, const std::string& path, int maxAge,
                   bool httpOnly, bool secure) {
    std::string c = name + "=" + value + "; Path=" + path + "; Max-Age=" + std::to_string(maxAge) + "; SameSite=Lax";
    if (httpOnly) c += "; HttpOnly";
    if (secure) c += "; Secure";
    return c;
}

}  // namespace

Settings Settings::from(const Config& config, std::string secret) {
    Settings s;
    s.secret = std::move(secret);
    s.issuer = config.jwtIssuer;
    s.audience = config.jwtAudience;
    s.accessTtlS = config.accessTokenTtlS;
    s.refreshTtlS = config.refreshTokenTtlS;
    s.cookieSecure = config.cookieSecure;
    s.cost.memoryKiB = static_cast<std::uint32_t>(config.argon2MemoryKiB);
    s.cost.timeCost = static_cast<std::uint32_t>(config.argon2Iterations);
    s.registerPerMin = config.rateRegisterPerMin;
    s.loginPerMin = config.rateLoginPerMin;
    s.refreshPerMin = config.rateRefreshPerMin;
    s.resetPerMin = config.ratePasswordResetPerMin;
    return s;
}

Service::Service(pg::Pool& pool, Settings settings)
    : pool_(pool),
      s_(std::move(settings)),
      dummyHash_(password::hash(randomToken(), s_.cost)),
      registerPerAccount_("register-account", s_.registerPerMin, s_.registerPerMin),
      loginPerAccount_("login-account", s_.loginPerMin, s_.loginPerMin),
      resetPerAccount_("reset-account", s_.resetPerMin, s_.resetPerMin),
      refreshPerSession_("refresh-session", s_.refreshPerMin, s_.refreshPerMin) {}

void Service::start(int pollMs) { cache_.start(pool_.url(), pollMs); }

std::optional<Response> Service::limited(RateLimiter& limiter, const std::string& key, const Request& req) {
    const auto v = limiter.take(key);
    if (v.allowed) return std::nullopt;
    auto res = problem(429, "rate_limited", "", "too many attempts for this account; try again later", req.requestId);
    res.headers.push_back({"Retry-After", std::to_string(v.retryAfterSeconds)});
    return res;
}

std::string Service::accessToken(const std::string& userId, const std::string& role, const std::string& sessionId) {
    const std::int64_t now = nowUs() / 1000000;
    return jwt::signHs256({{"sub", userId},
                           {"role", role},
                           {"sid", sessionId},
                           {"jti", newUuid()},
                           {"iat", now},
                           {"exp", now + s_.accessTtlS},
                           {"iss", s_.issuer},
                           {"aud", s_.audience}},
                          s_.secret);
}

expected<Principal, Response> Service::authenticate(const Request& req) {
    std::string token = bearer(req);
    bool viaCookie = false;
    const auto jar = cookies(req);
    if (token.empty()) {
        const auto it = jar.find("access_token");
        if (it != jar.end()) {
            token = it->second;
            viaCookie = true;
        }
    }
    if (token.empty()) {
        return unexpected(problem(401, "unauthenticated", "", "sign in: no access token was presented", req.requestId));
    }
    jwt::Checks checks;
    checks.now = nowUs() / 1000000;
    checks.issuer = s_.issuer;
    checks.audience = s_.audience;
    auto claims = jwt::verifyHs256(token, s_.secret, checks);
    if (!claims) {
        const bool expired = claims.error() == jwt::Failure::Expired;
        return unexpected(problem(401, expired ? "token_expired" : "invalid_token", "",
                                  expired ? "the access token has expired; refresh it" : "the access token is not valid",
                                  req.requestId));
    }
    const auto& c = *claims;
    if (!c.contains("sub") || !c["sub"].is_string() || !c.contains("sid") || !c["sid"].is_string() ||
        !isUuid(c["sid"].get<std::string>()) || !isUuid(c["sub"].get<std::string>())) {
        return unexpected(problem(401, "invalid_token", "", "the access token is not valid", req.requestId));
    }
    Principal p{c["sub"], "", c["sid"], viaCookie};
    if (viaCookie && unsafeMethod(req.method)) {
        const auto h = req.headers.find("x-csrf-token");
        const auto ck = jar.find("csrf_token");
        const std::string expected = deriveToken(s_.secret, "csrf", p.sessionId);
        if (h == req.headers.end() || ck == jar.end() || !constantTimeEquals(h->second, ck->second) ||
            !constantTimeEquals(h->second, expected)) {
            return unexpected(problem(403, "csrf_failed", "",
                                      "a cookie-authenticated request must send the csrf_token cookie's value in "
                                      "X-CSRF-Token",
                                      req.requestId));
        }
    }
    if (auto hit = cache_.get(p.sessionId)) {
        if (hit->userId != p.userId) {
            return unexpected(problem(401, "token_revoked", "", "the session has ended; sign in again", req.requestId));
        }
        p.role = std::move(hit->role);
        p.status = std::move(hit->status);
        p.userJson = std::move(hit->userJson);
    } else {
        // One query: the session, its user and the user's row (which /users/me answers with).
        const auto generation = cache_.generation();
        auto conn = pool_.acquire();
        const auto r = conn->query(std::string("SELECT s.status, s.user_id::text, ") + kUserColumns +
                                       " FROM lms_rm.sessions s LEFT JOIN lms_rm.users u ON u.user_id = s.user_id "
                                       "WHERE s.session_id = $1::uuid",
                                   {p.sessionId});
        if (r.rows() == 0 || r.get(0, 0) != "ACTIVE" || r.isNull(0, 2) || r.get(0, 1) != p.userId) {
            return unexpected(problem(401, "token_revoked", "", "the session has ended; sign in again", req.requestId));
        }
        const auto user = userJson(r, 0, 2);
        p.role = user["role"];
        p.status = user["status"];
        p.userJson = user.dump();
        cache_.put(p.sessionId, {p.userId, p.role, p.status, p.userJson}, generation);
    }
    if (p.status == "BANNED") {
        return unexpected(problem(403, "account_banned", "", "the account is banned", req.requestId));
    }
    return p;
}

expected<Service::Issued, Response> Service::startSession(pg::Connection& c, const std::string& userId,
                                                          const std::string& role, const Request& req) {
    Issued t;
    t.sessionId = newUuid();
    t.refreshToken = randomToken();
    const auto now = nowUs();
    di::StartSession cmd{t.sessionId, userId, tokenHash(t.refreshToken),
                         now + static_cast<std::int64_t>(s_.refreshTtlS) * 1000000, now};
    auto r = eventstore::handleCommand<di::Session>(c, "session-" + t.sessionId, di::Session::Command{cmd},
                                                    meta(req, userId), sessionOptions());
    if (!r) return unexpected(fromDomain(r.error(), req.requestId));
    t.accessToken = accessToken(userId, role, t.sessionId);
    t.csrfToken = deriveToken(s_.secret, "csrf", t.sessionId);
    return t;
}

void Service::setCookies(Response& res, const std::string& access, const std::string& refresh,
                         const std::string& csrf) const {
    const bool keep = !access.empty();
    res.headers.push_back(
        {"Set-Cookie", cookie("access_token", access, "/api", keep ? s_.accessTtlS : 0, true, s_.cookieSecure)});
    res.headers.push_back(
        {"Set-Cookie", cookie("refresh_token", refresh, "/api/v1/auth", keep ? s_.refreshTtlS : 0, true, s_.cookieSecure)});
    res.headers.push_back({"Set-Cookie", cookie("csrf_token", csrf, "/", keep ? s_.refreshTtlS : 0, false, s_.cookieSecure)});
}

Response Service::withSession(Response res, const json& user, const Issued& t) {
    json body = json::parse(res.body.empty() ? "{}" : res.body);
    if (!user.is_null()) body["user"] = user;
    body["accessToken"] = t.accessToken;
    body["refreshToken"] = t.refreshToken;
    body["tokenType"] = "Bearer";
    body["expiresIn"] = s_.accessTtlS;
    body["csrfToken"] = t.csrfToken;
    res.body = body.dump();
    setCookies(res, t.accessToken, t.refreshToken, t.csrfToken);
    return res;
}

void Service::revokeSessions(pg::Connection& c, const std::string& userId, const std::string& exceptSession,
                             const std::string& reason, const Request& req, const std::string& actor) {
    const auto r = c.query(
        "SELECT session_id::text FROM lms_rm.sessions WHERE user_id = $1::uuid AND status = 'ACTIVE'", {userId});
    for (int i = 0; i < r.rows(); ++i) {
        const std::string sid = r.str(i, 0);
        if (sid == exceptSession) continue;
        auto done = eventstore::handleCommand<di::Session>(c, "session-" + sid,
                                                           di::Session::Command{di::RevokeSession{reason, nowUs()}},
                                                           meta(req, actor), sessionOptions());
        if (!done) spdlog::warn("revoking session {}: {}", sid, done.error().message);
        cache_.evictSession(sid);
    }
}

Response Service::registerAccount(Request& req) {
    auto body = object(req);
    if (!body) return body.error();
    Fields f(*body);
    RegisterInput in;
    in.email = f.required("email");
    in.password = f.required("password");
    in.firstName = f.required("firstName");
    in.lastName = f.required("lastName");
    in.role = f.optional("role").value_or("STUDENT");
    if (auto refused = refusal(f, req)) return *refused;
    if (auto l = limited(registerPerAccount_, di::normalizeEmail(in.email), req)) return *l;
    auto conn = pool_.acquire();
    auto registered = registerUser(*conn, in, meta(req, ""), nowUs(), s_.cost);
    if (!registered) return fromDomain(registered.error(), req.requestId);
    auto user = loadUser(*conn, registered->userId);
    auto session = startSession(*conn, registered->userId, user ? (*user)["role"].get<std::string>() : in.role, req);
    if (!session) return session.error();
    return withSession(ok(201, json::object()), user ? *user : json(nullptr), *session);
}

Response Service::login(Request& req) {
    auto body = object(req);
    if (!body) return body.error();
    Fields f(*body);
    const std::string email = di::normalizeEmail(f.required("email"));
    const std::string pw = f.required("password");
    if (auto refused = refusal(f, req)) return *refused;
    if (auto l = limited(loginPerAccount_, email, req)) return *l;
    auto conn = pool_.acquire();
    const auto r = conn->query(std::string("SELECT ") + kUserColumns +
                                   ", u.password_hash FROM lms_rm.users u WHERE u.email_norm = $1 LIMIT 1",
                               {email});
    // An unknown email costs one Argon2id verification too, so that timing tells nothing.
    const bool known = r.rows() == 1;
    const bool match = password::verify(known ? r.str(0, 8) : dummyHash_, pw) && known;
    if (!match) return problem(401, "invalid_credentials", "", "the email or the password is wrong", req.requestId);
    const auto user = userJson(r, 0);
    if (user["status"] == "BANNED") return problem(403, "account_banned", "", "the account is banned", req.requestId);
    auto session = startSession(*conn, user["id"], user["role"], req);
    if (!session) return session.error();
    return withSession(ok(200, json::object()), user, *session);
}

Response Service::refresh(Request& req) {
    std::string token;
    bool viaCookie = false;
    if (!req.body.empty()) {
        auto body = object(req);
        if (!body) return body.error();
        Fields f(*body);
        if (auto t = f.optional("refreshToken")) token = *t;
        if (auto refused = refusal(f, req)) return *refused;
    }
    if (token.empty()) token = bearer(req);
    const auto jar = cookies(req);
    if (token.empty()) {
        const auto it = jar.find("refresh_token");
        if (it != jar.end()) {
            token = it->second;
            viaCookie = true;
        }
    }
    if (token.empty()) {
        return problemWith(401, "invalid_refresh_token", "no refresh token was presented",
                           {{"refreshToken", "is required"}}, req.requestId);
    }
    auto conn = pool_.acquire();
    const std::string presented = tokenHash(token);
    const auto found = conn->query("SELECT session_id::text FROM lms_rm.refresh_tokens WHERE token_hash = $1", {presented});
    if (found.rows() == 0) {
        return problem(401, "invalid_refresh_token", "", "the refresh token is not valid", req.requestId);
    }
    const std::string sessionId = found.str(0, 0);
    if (viaCookie) {
        const auto h = req.headers.find("x-csrf-token");
        if (h == req.headers.end() || !constantTimeEquals(h->second, deriveToken(s_.secret, "csrf", sessionId))) {
            return problem(403, "csrf_failed", "",
                           "a cookie-authenticated request must send the csrf_token cookie's value in X-CSRF-Token",
                           req.requestId);
        }
    }
    if (auto l = limited(refreshPerSession_, sessionId, req)) return *l;
    const auto user = conn->query(
        "SELECT u.user_id::text, u.role, u.status FROM lms_rm.sessions s JOIN lms_rm.users u ON u.user_id = s.user_id "
        "WHERE s.session_id = $1::uuid",
        {sessionId});
    Issued t;
    t.sessionId = sessionId;
    t.refreshToken = randomToken();
    const auto now = nowUs();
    di::RotateRefreshToken cmd{presented, tokenHash(t.refreshToken),
                               now + static_cast<std::int64_t>(s_.refreshTtlS) * 1000000, now};
    auto rotated = eventstore::handleCommand<di::Session>(*conn, "session-" + sessionId, di::Session::Command{cmd},
                                                          meta(req, user.rows() ? user.str(0, 0) : ""), sessionOptions());
    if (!rotated) {
        if (rotated.error().code == "invalid_refresh_token") {
            return problem(401, "invalid_refresh_token", "", "the refresh token is not valid", req.requestId);
        }
        return fromDomain(rotated.error(), req.requestId);
    }
    if (!rotated->events.empty() && rotated->events.back().type == "SessionRevoked") {
        cache_.evictSession(sessionId);
        spdlog::warn("session {}: a rotated refresh token was presented again; the session is revoked", sessionId);
        return problem(401, "refresh_token_reused", "",
                       "this refresh token was already used; the session is revoked, sign in again", req.requestId);
    }
    if (user.rows() == 0) return problem(401, "invalid_refresh_token", "", "the refresh token is not valid", req.requestId);
    if (user.get(0, 2) == "BANNED") return problem(403, "account_banned", "", "the account is banned", req.requestId);
    t.accessToken = accessToken(user.str(0, 0), user.str(0, 1), sessionId);
    t.csrfToken = deriveToken(s_.secret, "csrf", sessionId);
    return withSession(ok(200, json::object()), json(nullptr), t);
}

Response Service::logout(Request& req) {
    auto p = authenticate(req);
    if (!p) return p.error();
    auto conn = pool_.acquire();
    auto r = eventstore::handleCommand<di::Session>(*conn, "session-" + p->sessionId,
                                                    di::Session::Command{di::RevokeSession{"logout", nowUs()}},
                                                    meta(req, p->userId), sessionOptions());
    if (!r) return fromDomain(r.error(), req.requestId);
    cache_.evictSession(p->sessionId);
    auto res = ok(200, {{"message", "signed out"}});
    setCookies(res, "", "", "");  // empty values with Max-Age=0: the browser drops them
    return res;
}

Response Service::me(Request& req) {
    auto p = authenticate(req);
    if (!p) return p.error();
    return Response{200, "application/json", std::move(p->userJson), {}};
}

Response Service::updateMe(Request& req) {
    auto p = authenticate(req);
    if (!p) return p.error();
    auto body = object(req);
    if (!body) return body.error();
    Fields f(*body);
    di::UpdateProfile cmd;
    cmd.firstName = f.optional("firstName");
    cmd.lastName = f.optional("lastName");
    cmd.bio = f.optional("bio");
    f.onlyThese({"firstName", "lastName", "bio"});
    if (auto refused = refusal(f, req)) return *refused;
    cmd.at = nowUs();
    auto conn = pool_.acquire();
    auto r = eventstore::handleCommand<di::User>(*conn, "user-" + p->userId, di::User::Command{cmd},
                                                 meta(req, p->userId), userOptions(*conn));
    if (!r) return fromDomain(r.error(), req.requestId);
    cache_.evictUser(p->userId);
    auto user = loadUser(*conn, p->userId);
    if (!user) return problem(404, "user_not_found", "", "no such user", req.requestId);
    return ok(200, *user);
}

Response Service::deleteMe(Request& req) {
    auto p = authenticate(req);
    if (!p) return p.error();
    auto conn = pool_.acquire();
    const std::string stream = "user-" + p->userId;
    // In the erasure's transaction: the read model row goes (inline projection), the key that
    // opens every personal field of the history is destroyed, and the email is free again.
    auto r = eventstore::handleCommand<di::User>(
        *conn, stream, di::User::Command{di::Erase{nowUs()}}, meta(req, p->userId),
        userOptions(*conn, [stream](pg::Connection& c, const std::vector<eventstore::RecordedEvent>&)
                               -> std::optional<DomainError> {
            eventstore::PersonalData(c).shred(stream);
            c.query("DELETE FROM lms_reservations WHERE owner = $1", {stream});
            return std::nullopt;
        }));
    if (!r) return fromDomain(r.error(), req.requestId);
    cache_.evictUser(p->userId);
    revokeSessions(*conn, p->userId, "", "user_erased", req, p->userId);
    Response res{204, "application/json", "", {}};
    setCookies(res, "", "", "");  // empty values with Max-Age=0: the browser drops them
    return res;
}

Response Service::changePassword(Request& req) {
    auto p = authenticate(req);
    if (!p) return p.error();
    auto body = object(req);
    if (!body) return body.error();
    Fields f(*body);
    const std::string current = f.required("currentPassword");
    const std::string next = f.required("newPassword");
    if (auto refused = refusal(f, req)) return *refused;
    if (auto refused = newPasswordRefusal(next, req)) return *refused;
    auto conn = pool_.acquire();
    const auto r = conn->query("SELECT password_hash FROM lms_rm.users WHERE user_id = $1::uuid", {p->userId});
    if (r.rows() == 0 || !password::verify(r.str(0, 0), current)) {
        return problemWith(422, "wrong_password", "the current password is wrong",
                           {{"currentPassword", "is wrong"}}, req.requestId);
    }
    auto done = eventstore::handleCommand<di::User>(
        *conn, "user-" + p->userId, di::User::Command{di::ChangePassword{password::hash(next, s_.cost), nowUs()}},
        meta(req, p->userId), userOptions(*conn));
    if (!done) return fromDomain(done.error(), req.requestId);
    cache_.evictUser(p->userId);
    revokeSessions(*conn, p->userId, p->sessionId, "password_changed", req, p->userId);
    return ok(200, {{"message", "password changed; other sessions were signed out"}});
}

Response Service::forgotPassword(Request& req) {
    auto body = object(req);
    if (!body) return body.error();
    Fields f(*body);
    const std::string email = di::normalizeEmail(f.required("email"));
    if (auto refused = refusal(f, req)) return *refused;
    if (auto l = limited(resetPerAccount_, email, req)) return *l;
    const json answer{{"message", "if an account uses this email, a reset link is on its way"}};
    auto conn = pool_.acquire();
    const auto r = conn->query("SELECT user_id::text FROM lms_rm.users WHERE email_norm = $1 AND status = 'ACTIVE'",
                               {email});
    if (r.rows() == 0) return ok(202, answer);  // the same answer: an email's existence is not disclosed
    const std::string userId = r.str(0, 0);
    const std::string resetId = newUuid();
    const auto now = nowUs();
    di::RequestPasswordReset cmd{resetId, tokenHash(deriveToken(s_.secret, "password-reset", resetId)),
                                 now + kResetTtlUs, now};
    auto done = eventstore::handleCommand<di::User>(*conn, "user-" + userId, di::User::Command{cmd}, meta(req, userId),
                                                    userOptions(*conn));
    if (!done) spdlog::warn("password reset for {}: {}", userId, done.error().message);
    return ok(202, answer);
}

Response Service::resetPassword(Request& req) {
    auto body = object(req);
    if (!body) return body.error();
    Fields f(*body);
    const std::string token = f.required("token");
    const std::string next = f.required("newPassword");
    if (auto refused = refusal(f, req)) return *refused;
    if (auto refused = newPasswordRefusal(next, req)) return *refused;
    auto conn = pool_.acquire();
    const std::string hash = tokenHash(token);
    const auto r = conn->query("SELECT user_id::text FROM lms_rm.password_resets WHERE token_hash = $1", {hash});
    if (r.rows() == 0) {
        return problemWith(422, "invalid_reset_token", "the reset token is unknown, used or expired",
                           {{"token", "is unknown, used or expired"}}, req.requestId);
    }
    const std::string userId = r.str(0, 0);
    if (auto l = limited(resetPerAccount_, userId, req)) return *l;
    auto done = eventstore::handleCommand<di::User>(
        *conn, "user-" + userId, di::User::Command{di::ResetPassword{hash, password::hash(next, s_.cost), nowUs()}},
        meta(req, userId), userOptions(*conn));
    if (!done) return fromDomain(done.error(), req.requestId);
    cache_.evictUser(userId);
    revokeSessions(*conn, userId, "", "password_reset", req, userId);
    return ok(200, {{"message", "password changed; sign in with the new one"}});
}

Response Service::adminList(Request& req) {
    auto p = authenticate(req);
    if (!p) return p.error();
    if (p->role != "ADMIN") return problem(403, "forbidden", "", "this needs the ADMIN role", req.requestId);
    std::map<std::string, std::string> q;
    std::size_t i = 0;
    while (i < req.query.size()) {
        auto end = req.query.find('&', i);
        if (end == std::string::npos) end = req.query.size();
        const std::string part = req.query.substr(i, end - i);
        const auto eq = part.find('=');
        q[urlDecode(part.substr(0, eq))] = eq == std::string::npos ? "" : urlDecode(part.substr(eq + 1));
        i = end + 1;
    }
    std::vector<domain::FieldError> errors;
    auto number = [&](const char* name, int fallback, int lo, int hi) {
        const auto it = q.find(name);
        if (it == q.end() || it->second.empty()) return fallback;
        int v = 0;
        auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
        if (ec != std::errc() || ptr != it->second.data() + it->second.size() || v < lo || v > hi) {
            errors.push_back({name, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi)});
            return fallback;
        }
        return v;
    };
    const int page = number("page", 1, 1, 1000000);
    const int limit = number("limit", 20, 1, 100);
    std::optional<std::string> role, status, search;
    if (q.count("role") && !q["role"].empty()) {
        role = q["role"];
        if (*role != "STUDENT" && *role != "INSTRUCTOR" && *role != "ADMIN") {
            errors.push_back({"role", "must be STUDENT, INSTRUCTOR or ADMIN"});
        }
    }
    if (q.count("status") && !q["status"].empty()) {
        status = q["status"];
        if (*status != "ACTIVE" && *status != "BANNED") errors.push_back({"status", "must be ACTIVE or BANNED"});
    }
    if (q.count("q") && !q["q"].empty()) {
        if (q["q"].size() > 200) errors.push_back({"q", "must be at most 200 characters"});
        std::string like;
        for (char ch : q["q"]) {
            if (ch == '%' || ch == '_' || ch == '\\') like += '\\';
            like += ch;
        }
        search = "%" + like + "%";
    }
    if (!errors.empty()) return problemWith(422, "validation_failed", "the query has invalid parameters", errors, req.requestId);
    auto conn = pool_.acquire();
    const std::string where =
        " FROM lms_rm.users u WHERE ($1::text IS NULL OR role = $1) AND ($2::text IS NULL OR status = $2) AND "
        "($3::text IS NULL OR email_norm ILIKE $3 OR first_name ILIKE $3 OR last_name ILIKE $3 OR "
        "(first_name || ' ' || last_name) ILIKE $3)";
    const auto total = conn->query("SELECT count(*)" + where, {role, status, search}).i64(0, 0);
    const auto rows = conn->query(std::string("SELECT ") + kUserColumns + where +
                                      " ORDER BY u.created_at DESC, u.user_id LIMIT $4 OFFSET $5",
                                  {role, status, search, std::to_string(limit),
                                   std::to_string(static_cast<std::int64_t>(page - 1) * limit)});
    json items = json::array();
    for (int k = 0; k < rows.rows(); ++k) items.push_back(userJson(rows, k));
    return ok(200, {{"items", items},
                    {"meta",
                     {{"totalItems", total},
                      {"itemsPerPage", limit},
                      {"totalPages", (total + limit - 1) / limit},
                      {"currentPage", page}}}});
}

Response Service::setStatus(Request& req, bool ban) {
    auto p = authenticate(req);
    if (!p) return p.error();
    if (p->role != "ADMIN") return problem(403, "forbidden", "", "this needs the ADMIN role", req.requestId);
    const std::string id = req.params["id"];
    if (!isUuid(id)) return problem(404, "user_not_found", "", "no such user", req.requestId);
    std::string reason;
    if (!req.body.empty()) {
        auto body = object(req);
        if (!body) return body.error();
        Fields f(*body);
        reason = f.optional("reason").value_or("");
        if (auto refused = refusal(f, req)) return *refused;
    }
    if (ban && id == p->userId) {
        return problemWith(422, "cannot_ban_self", "an admin cannot ban their own account", {{"id", "is your own account"}},
                           req.requestId);
    }
    auto conn = pool_.acquire();
    const auto stream = "user-" + id;
    const di::User::Command cmd = ban ? di::User::Command{di::Ban{reason, nowUs()}} : di::User::Command{di::Activate{nowUs()}};
    auto r = eventstore::handleCommand<di::User>(*conn, stream, cmd, meta(req, p->userId), userOptions(*conn));
    if (!r) return fromDomain(r.error(), req.requestId);
    cache_.evictUser(id);
    if (ban) revokeSessions(*conn, id, "", "user_banned", req, p->userId);
    auto user = loadUser(*conn, id);
    if (!user) return problem(404, "user_not_found", "", "no such user", req.requestId);
    return ok(200, *user);
}

Response Service::adminBan(Request& req) { return setStatus(req, true); }
Response Service::adminActivate(Request& req) { return setStatus(req, false); }

void addRoutes(Router& r, Service& s) {
    const auto& st = s.settings();
    auto perIp = [](const char* name, int perMin) { return std::make_shared<RateLimiter>(name, perMin, perMin); };
    r.add("POST", "/api/v1/auth/register", [&s](Request& q) { return s.registerAccount(q); },
          perIp("register", st.registerPerMin * 3));
    r.add("POST", "/api/v1/auth/login", [&s](Request& q) { return s.login(q); }, perIp("login", st.loginPerMin * 3));
    r.add("POST", "/api/v1/auth/refresh", [&s](Request& q) { return s.refresh(q); }, perIp("refresh", st.refreshPerMin * 3));
    r.add("POST", "/api/v1/auth/logout", [&s](Request& q) { return s.logout(q); });
    r.add("POST", "/api/v1/auth/password/forgot", [&s](Request& q) { return s.forgotPassword(q); },
          perIp("password-forgot", st.resetPerMin * 3));
    r.add("POST", "/api/v1/auth/password/reset", [&s](Request& q) { return s.resetPassword(q); },
          perIp("password-reset", st.resetPerMin * 3));
    r.add("GET", "/api/v1/users/me", [&s](Request& q) { return s.me(q); });
    r.add("PATCH", "/api/v1/users/me", [&s](Request& q) { return s.updateMe(q); });
    r.add("DELETE", "/api/v1/users/me", [&s](Request& q) { return s.deleteMe(q); });
    r.add("POST", "/api/v1/users/me/password", [&s](Request& q) { return s.changePassword(q); });
    r.add("GET", "/api/v1/admin/users", [&s](Request& q) { return s.adminList(q); });
    r.add("PATCH", "/api/v1/admin/users/{id}/ban", [&s](Request& q) { return s.adminBan(q); });
    r.add("PATCH", "/api/v1/admin/users/{id}/activate", [&s](Request& q) { return s.adminActivate(q); });
}

}  // namespace lms::api::identity
