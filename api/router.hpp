#pragma once
// Routes with path parameters ("/api/v1/users/{id}") to handlers. Handlers are thin: parse,
// call a command or a query, map the result to a status.
#include <functional>
#include <memory>
#include <map>
#include <string>
#include <vector>

namespace lms::api {

class RateLimiter;

struct Request {
    std::string method;
    std::string path;
    std::string query;
    std::map<std::string, std::string> params;  // path parameters
    std::map<std::string, std::string> headers; // lower-case names
    std::string body;
    std::string requestId;
    std::string clientIp;
};

struct Response {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// RFC 9457 problem details with the project's stable `code` and the request id.
Response problem(int status, const std::string& code, const std::string& title, const std::string& detail,
                 const std::string& requestId);

using Handler = std::function<Response(Request&)>;

class Router {
public:
    struct Route {
        std::string method;
        std::string pattern;
        Handler handler;
        std::shared_ptr<RateLimiter> limitPerClient;  // keyed by client IP; none when null
    };
    void add(std::string method, std::string pattern, Handler handler,
             std::shared_ptr<RateLimiter> limitPerClient = nullptr);
    // The route for method and path, filling params; nullptr when none. methodAllowed tells a 405
    // (the path exists under another method) from a 404.
    const Route* match(const std::string& method, const std::string& path, std::map<std::string, std::string>& params,
                       bool& pathExists) const;
    const std::vector<Route>& routes() const { return routes_; }

private:
    std::vector<Route> routes_;
};

}  // namespace lms::api
