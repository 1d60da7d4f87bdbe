#include "api/http/auth.hpp"

#include "api/http/cookies.hpp"
#include "api/http/problem.hpp"
#include "common/secure.hpp"

namespace lms::http {

std::string bearerToken(const Request& req) {
    const std::string& v = req.header("authorization");
    if (v.size() > 7 && (v.rfind("Bearer ", 0) == 0 || v.rfind("bearer ", 0) == 0)) return v.substr(7);
    return {};
}

std::optional<Credential> credentialOf(const Request& req, const std::string& cookieName) {
    if (auto token = bearerToken(req); !token.empty()) return Credential{std::move(token), false};
    const auto jar = cookiesOf(req);
    const auto it = jar.find(cookieName);
    if (it == jar.end() || it->second.empty()) return std::nullopt;
    return Credential{it->second, true};
}

std::optional<Response> checkCsrf(const Request& req, bool viaCookie, const std::string& expectedProof) {
    if (!viaCookie || !unsafeMethod(req.method)) return std::nullopt;
    const std::string& proof = req.header("x-csrf-token");
    const auto jar = cookiesOf(req);
    const auto cookie = jar.find("csrf_token");
    if (!proof.empty() && cookie != jar.end() && constantTimeEquals(proof, cookie->second) &&
        constantTimeEquals(proof, expectedProof)) {
        return std::nullopt;
    }
    return problem(403, "csrf_failed",
                   "a cookie-authenticated request must send the csrf_token cookie's value in X-CSRF-Token",
                   req.requestId);
}

std::optional<Response> requireRole(const Principal& p, const std::string& role, const Request& req) {
    if (p.role == role) return std::nullopt;
    return problem(403, "forbidden", "this needs the " + role + " role", req.requestId);
}

domain::Metadata metadataOf(const Request& req, const std::string& actorId) { return {actorId, req.requestId, ""}; }

}  // namespace lms::http
