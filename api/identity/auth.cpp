#include "api/identity/auth.hpp"

#include "api/http/cookies.hpp"
#include "api/http/problem.hpp"
#include "common/ids.hpp"
#include "common/jwt.hpp"
#include "common/sha256.hpp"
#include "domain/identity/events.hpp"

namespace lms::identity {
namespace {

using http::problem;
namespace q = projections::identity;

expected<http::Principal, http::Response> verified(const http::Request& req, const TokenSettings& s, const Clock& clock,
                                                   VerifiedTokens& tokens) {
    const auto credential = http::credentialOf(req, "access_token");
    if (!credential) {
        return unexpected(problem(401, "unauthenticated", "sign in: no access token was presented", req.requestId));
    }
    const std::int64_t now = clock.nowSeconds();
    if (auto hit = tokens.get(credential->token); hit && now < hit->expiresAt) {
        return http::Principal{std::move(hit->userId), "", std::move(hit->sessionId), credential->viaCookie};
    }
    jwt::Checks checks;
    checks.now = now;
    checks.issuer = s.issuer;
    checks.audience = s.audience;
    checks.requireExpiry = true;
    auto claims = jwt::verifyHs256(credential->token, s.secret, checks);
    if (!claims) {
        const bool expired = claims.error() == jwt::Failure::Expired;
        return unexpected(problem(401, expired ? "token_expired" : "invalid_token",
                                  expired ? "the access token has expired; refresh it" : "the access token is not valid",
                                  req.requestId));
    }
    const auto& c = *claims;
    if (!c.contains("sub") || !c["sub"].is_string() || !c.contains("sid") || !c["sid"].is_string() ||
        !isUuid(c["sid"].get<std::string>()) || !isUuid(c["sub"].get<std::string>())) {
        return unexpected(problem(401, "invalid_token", "the access token is not valid", req.requestId));
    }
    // Remembered until its expiry (required above), unless a not-before is still ahead.
    const auto exp = c.find("exp");
    if (exp->is_number_integer() && !c.contains("nbf")) {
        tokens.put(credential->token, {c["sub"], c["sid"], exp->get<std::int64_t>()});
    }
    return http::Principal{c["sub"], "", c["sid"], credential->viaCookie};
}

}  // namespace

// Tokens are kept by their SHA-256, so that how long a lookup takes says nothing about the bytes
// of a token someone else holds.
std::optional<VerifiedTokens::Entry> VerifiedTokens::get(std::string_view token) const {
    const std::string digest = sha256(token);
    std::shared_lock lock(m_);
    const auto it = tokens_.find(digest);
    if (it == tokens_.end()) return std::nullopt;
    return it->second;
}

void VerifiedTokens::put(std::string_view token, Entry entry) {
    std::string digest = sha256(token);
    std::unique_lock lock(m_);
    if (tokens_.size() >= kMax) tokens_.clear();
    tokens_.insert_or_assign(std::move(digest), std::move(entry));
}

TokenSettings TokenSettings::from(const Config& config, std::string secret) {
    TokenSettings s;
    s.secret = std::move(secret);
    s.issuer = config.jwtIssuer;
    s.audience = config.jwtAudience;
    s.accessTtlS = config.accessTokenTtlS;
    s.refreshTtlS = config.refreshTokenTtlS;
    s.cookieSecure = config.cookieSecure;
    return s;
}

nlohmann::json userJson(const q::UserRow& u) {
    using nlohmann::json;
    return json{{"id", u.id.value()},
                {"email", u.email},
                {"firstName", u.firstName ? json(*u.firstName) : json(nullptr)},
                {"lastName", u.lastName ? json(*u.lastName) : json(nullptr)},
                {"bio", u.bio},
                {"role", u.role},
                {"status", u.status},
                {"createdAt", u.createdAt}};
}

Auth::Auth(pg::Pool& pool, const Clock& clock, TokenSettings settings, api::EventFeed& feed)
    : pool_(pool), clock_(clock), s_(std::move(settings)), cache_(feed) {
    feed.subscribe({[this](const api::EventFeed::Events& events) { observe(events); }, [this] { cache_.clear(); }});
}

expected<http::Principal, http::Response> Auth::authenticate(const http::Request& req) {
    auto c = caller(req);
    if (!c) return unexpected(std::move(c.error()));
    return std::move(c->principal);
}

expected<Caller, http::Response> Auth::caller(const http::Request& req) {
    auto principal = verified(req, s_, clock_, tokens_);
    if (!principal) return unexpected(std::move(principal.error()));
    Caller caller{std::move(*principal), "", ""};
    auto& p = caller.principal;
    const domain::identity::SessionId session(p.sessionId);
    // The proof is an HMAC: derived only when a cookie-authenticated unsafe request needs it.
    if (p.viaCookie && http::unsafeMethod(req.method)) {
        if (auto refused = http::checkCsrf(req, p.viaCookie, csrfProof(session)))
            return unexpected(std::move(*refused));
    }
    if (auto hit = cache_.get(p.sessionId)) {
        if (hit->userId != p.userId) {
            return unexpected(problem(401, "token_revoked", "the session has ended; sign in again", req.requestId));
        }
        p.role = std::move(hit->role);
        caller.status = std::move(hit->status);
        caller.userJson = std::move(hit->userJson);
    } else {
        const auto generation = cache_.generation();
        auto conn = pool_.acquire();
        const auto found = q::findSession(*conn, session);
        if (!found || !found->honoured() || found->userId.value() != p.userId) {
            return unexpected(problem(401, "token_revoked", "the session has ended; sign in again", req.requestId));
        }
        p.role = found->user->role;
        caller.status = found->user->status;
        caller.userJson = userJson(*found->user).dump();
        cache_.put(p.sessionId, {p.userId, p.role, caller.status, caller.userJson}, generation);
    }
    if (caller.status == "BANNED") {
        return unexpected(problem(403, "account_banned", "the account is banned", req.requestId));
    }
    return caller;
}

std::string Auth::csrfProof(const domain::identity::SessionId& session) const {
    return deriveToken(s_.secret, "csrf", session.value());
}

std::string Auth::accessToken(const std::string& userId, const std::string& role, const std::string& sessionId) const {
    const std::int64_t now = clock_.nowSeconds();
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

http::Response Auth::signedIn(int status, const std::optional<nlohmann::json>& user,
                              const domain::identity::SessionId& session, const std::string& refreshToken,
                              const std::string& userId, const std::string& role) const {
    const std::string access = accessToken(userId, role, session.value());
    const std::string csrf = csrfProof(session);
    nlohmann::json body = nlohmann::json::object();
    if (user) body["user"] = *user;
    body["accessToken"] = access;
    body["refreshToken"] = refreshToken;
    body["tokenType"] = "Bearer";
    body["expiresIn"] = s_.accessTtlS;
    body["csrfToken"] = csrf;
    auto res = http::json(status, body);
    setCookies(res, access, refreshToken, csrf);
    return res;
}

void Auth::clearCookies(http::Response& res) const { setCookies(res, "", "", ""); }

void Auth::setCookies(http::Response& res, const std::string& access, const std::string& refresh,
                      const std::string& csrf) const {
    const bool keep = !access.empty();
    res.headers.push_back({"Set-Cookie", http::setCookie("access_token", access,
                                                         {"/api", keep ? s_.accessTtlS : 0, true, s_.cookieSecure})});
    res.headers.push_back(
        {"Set-Cookie", http::setCookie("refresh_token", refresh,
                                       {"/api/v1/auth", keep ? s_.refreshTtlS : 0, true, s_.cookieSecure})});
    // Not HttpOnly: the page's script reads it to send it back in X-CSRF-Token.
    res.headers.push_back(
        {"Set-Cookie", http::setCookie("csrf_token", csrf, {"/", keep ? s_.refreshTtlS : 0, false, s_.cookieSecure})});
}

void Auth::observe(const std::vector<eventstore::RecordedEvent>& events) {
    namespace di = domain::identity;
    for (const auto& e : events) {
        if (const auto user = di::userOfStream(e.streamId)) {
            cache_.evictUser(user->value());
        } else if (const auto session = di::sessionOfStream(e.streamId);
                   session && e.type == di::SessionRevoked::kType) {
            cache_.evictSession(session->value());
        }
    }
}

}  // namespace lms::identity
