#include "api/http/problem.hpp"

namespace lms::http {

const char* reasonOf(int status) {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 202: return "Accepted";
        case 204: return "No Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 303: return "See Other";
        case 304: return "Not Modified";
        case 307: return "Temporary Redirect";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 402: return "Payment Required";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 406: return "Not Acceptable";
        case 408: return "Request Timeout";
        case 409: return "Conflict";
        case 410: return "Gone";
        case 412: return "Precondition Failed";
        case 413: return "Content Too Large";
        case 415: return "Unsupported Media Type";
        case 422: return "Unprocessable Content";
        case 428: return "Precondition Required";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        default: return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
    }
}

Response problem(int status, const std::string& code, const std::string& detail, const std::string& requestId,
                 const std::vector<domain::FieldError>& errors) {
    nlohmann::json j{{"type", "about:blank"}, {"title", reasonOf(status)}, {"status", status}, {"detail", detail},
                     {"code", code},          {"requestId", requestId}};
    if (!errors.empty()) {
        j["errors"] = nlohmann::json::array();
        for (const auto& e : errors) j["errors"].push_back({{"field", e.field}, {"message", e.message}});
    }
    // The detail may echo what the client sent (a path, a content type): bytes that are not UTF-8
    // become U+FFFD instead of failing the answer with a 500.
    return Response{
        status, "application/problem+json", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {}};
}

Response invalid(const std::vector<domain::FieldError>& errors, const std::string& requestId,
                 const std::string& detail) {
    return problem(422, "validation_failed", detail, requestId, errors);
}

int statusOf(domain::DomainError::Kind kind) {
    using Kind = domain::DomainError::Kind;
    switch (kind) {
        case Kind::Validation: return 422;
        case Kind::Conflict: return 409;
        case Kind::NotFound: return 404;
        case Kind::Forbidden: return 403;
        case Kind::Unauthenticated: return 401;
        case Kind::Stale: return 412;
        case Kind::PaymentRequired: return 402;
    }
    return 500;
}

Response fromDomain(const domain::DomainError& e, const std::string& requestId) {
    auto errors = e.errors;
    if (errors.empty() && !e.field.empty()) {
        errors.push_back({e.field, e.message});
    }
    return problem(statusOf(e.kind), e.code, e.message, requestId, errors);
}

Response json(int status, const nlohmann::json& body) {
    return Response{status, "application/json", body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {}};
}

}  // namespace lms::http
