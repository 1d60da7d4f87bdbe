#pragma once
// Routes with path parameters ("/api/v1/users/{id}") to handlers. Handlers are thin: parse,
// call a command or a query, map the result to a status.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/http/message.hpp"

namespace lms::http {

class RateLimiter;

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
    // The route for method and path, filling params; nullptr when none. pathExists tells a 405
    // (the path exists under another method) from a 404. Only canonical paths match: no empty
    // segment, no trailing slash.
    const Route* match(const std::string& method, const std::string& path, std::map<std::string, std::string>& params,
                       bool& pathExists) const;
    const std::vector<Route>& routes() const { return routes_; }
    // Replaces every route's handler with what f makes of it (the Idempotency-Key guard on POSTs).
    void wrap(const std::function<Handler(const Route&)>& f) {
        for (auto& r : routes_) r.handler = f(r);
    }

private:
    std::vector<Route> routes_;
    std::vector<std::vector<std::string>> segments_;  // each route's pattern split once, at add()
};

}  // namespace lms::http
