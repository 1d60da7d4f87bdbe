#pragma once
// RFC 9457 problem details, and the one mapping from a refused command (DomainError) to an
// HTTP status. Every context's handlers answer errors through here.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/http/message.hpp"
#include "domain/core/decider.hpp"

namespace lms::http {

// {"type","title","status","detail","code","requestId"} plus "errors" when there are any.
Response problem(int status, const std::string& code, const std::string& detail, const std::string& requestId,
                 const std::vector<domain::FieldError>& errors = {});
// 422 validation_failed naming every field at fault.
Response invalid(const std::vector<domain::FieldError>& errors, const std::string& requestId,
                 const std::string& detail = "the request has invalid fields");
// Validation → 422, Conflict → 409, NotFound → 404, Forbidden → 403, Unauthenticated → 401.
int statusOf(domain::DomainError::Kind kind);
Response fromDomain(const domain::DomainError& e, const std::string& requestId);

Response json(int status, const nlohmann::json& body);
// The reason phrase of a status ("Unprocessable Content").
const char* reasonOf(int status);

}  // namespace lms::http
