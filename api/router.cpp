#include "api/router.hpp"

#include <nlohmann/json.hpp>

namespace lms::api {
namespace {

std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i < path.size()) {
        const auto j = path.find('/', i);
        const auto end = j == std::string::npos ? path.size() : j;
        if (end > i) parts.push_back(path.substr(i, end - i));
        i = end + 1;
    }
    return parts;
}

const char* reason(int status) {
    switch (status) {
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 413: return "Content Too Large";
        case 415: return "Unsupported Media Type";
        case 422: return "Unprocessable Content";
        case 429: return "Too Many Requests";
        case 503: return "Service Unavailable";
        default: return "Internal Server Error";
    }
}

}  // namespace

Response problem(int status, const std::string& code, const std::string& title, const std::string& detail,
                 const std::string& requestId) {
    nlohmann::json j{{"type", "about:blank"},
                     {"title", title.empty() ? reason(status) : title},
                     {"status", status},
                     {"detail", detail},
                     {"code", code},
                     {"requestId", requestId}};
    return Response{status, "application/problem+json", j.dump(), {}};
}

void Router::add(std::string method, std::string pattern, Handler handler, std::shared_ptr<RateLimiter> limit) {
    routes_.push_back({std::move(method), std::move(pattern), std::move(handler), std::move(limit)});
}

const Router::Route* Router::match(const std::string& method, const std::string& path,
                                   std::map<std::string, std::string>& params, bool& pathExists) const {
    const auto parts = split(path);
    pathExists = false;
    for (const auto& r : routes_) {
        const auto pat = split(r.pattern);
        if (pat.size() != parts.size()) continue;
        std::map<std::string, std::string> found;
        bool ok = true;
        for (std::size_t i = 0; i < pat.size() && ok; ++i) {
            if (pat[i].size() > 2 && pat[i].front() == '{' && pat[i].back() == '}') {
                found[pat[i].substr(1, pat[i].size() - 2)] = parts[i];
            } else {
                ok = pat[i] == parts[i];
            }
        }
        if (!ok) continue;
        pathExists = true;
        if (r.method == method) {
            params = std::move(found);
            return &r;
        }
    }
    return nullptr;
}

}  // namespace lms::api
