#pragma once
// Who is calling and what they may do, for every context's routes: the credential a request
// presents (a bearer header or a cookie), the principal an Authenticator makes of it, the CSRF
// proof that cookie-authenticated unsafe requests must carry, and role checks. The identity
// context provides the Authenticator; other contexts only use this interface.
#include <optional>
#include <string>

#include "api/http/message.hpp"
#include "common/expected.hpp"
#include "domain/core/event.hpp"

namespace lms::http {

struct Credential {
    std::string token;
    bool viaCookie = false;
};
// "Authorization: Bearer <token>", else the named cookie; nothing when neither is there.
std::optional<Credential> credentialOf(const Request& req, const std::string& cookieName);
std::string bearerToken(const Request& req);

struct Principal {
    std::string userId;
    std::string role;  // STUDENT, INSTRUCTOR, ADMIN
    std::string sessionId;
    bool viaCookie = false;
};

class Authenticator {
public:
    virtual ~Authenticator() = default;
    // The caller, or the 401/403 to answer.
    virtual expected<Principal, Response> authenticate(const Request& req) = 0;
};

// The CSRF middleware: an unsafe request authenticated by a cookie must send the csrf_token
// cookie's value in X-CSRF-Token, and that value must be `expectedProof`, which the server
// derives from the session (a signed double submit: a cookie planted by a sibling site fails). Returns the 403 to
// answer, or nothing when the request may go on.
std::optional<Response> checkCsrf(const Request& req, bool viaCookie, const std::string& expectedProof);

// 403 forbidden unless the principal has the role.
std::optional<Response> requireRole(const Principal& p, const std::string& role, const Request& req);

// The metadata every event of this request carries: who did it and under which request id.
domain::Metadata metadataOf(const Request& req, const std::string& actorId);

}  // namespace lms::http
