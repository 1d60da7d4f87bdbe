#pragma once
// What the server does with every request, whatever carries the bytes (docs/decisions/0007 and
// 0010): request ids, the client's address, CORS, routing, the /metrics token, per-client rate
// limits, body types, the handler, problems for failures, security headers, the access log and
// the latency histogram. In two steps so that nothing blocking runs where sockets are served:
// admit() looks only at memory and may answer early; complete() runs the handler.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/http/message.hpp"
#include "api/http/router.hpp"
#include "api/http/wire.hpp"

namespace lms::http {

struct Policy {
    std::size_t maxBodyBytes = 65536;
    std::vector<std::string> corsOrigins;     // allowed Origin values
    std::vector<std::string> trustedProxies;  // peers whose X-Forwarded-For is believed
    std::string metricsToken;                 // when set, GET /metrics needs it as a bearer token
};

// One request on its way through the server.
struct Exchange {
    Request request;
    const Router::Route* route = nullptr;
    std::string routeLabel = "unmatched";  // the route's pattern: a metric label from a fixed set
    std::string origin;                    // the Origin header when it is allowed, else empty
    bool headRequest = false;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

class Pipeline {
public:
    Pipeline(std::shared_ptr<const Router> router, Policy policy);

    // Once the head is in, before any body byte is read: fills the exchange and answers when the
    // request ends here (a CORS preflight, 404, 405, 501, 401 on /metrics, 429). Never blocks.
    std::optional<Response> admit(Exchange& x, const Head& head, const std::string& peer) const;
    // Once the body is in: 415 for a body that is not JSON, then the handler; whatever it throws
    // is a 500 naming only the request id.
    Response complete(Exchange& x, std::string body) const;
    // The answer to a request that could not be read or served (400, 408, 413, 431, 503): a
    // problem, with a request id of its own when the head never arrived.
    Response refuse(Exchange& x, int status, const std::string& code, const std::string& detail) const;
    // The response's bytes with the headers every answer carries; writes the access log line and
    // records the histogram.
    std::string finish(const Exchange& x, const Response& r, bool keepAlive) const;

private:
    std::string clientIp(const std::string& peer, const Request& req) const;
    std::shared_ptr<const Router> router_;
    Policy policy_;
    std::uint64_t id_ = 0;  // distinct per pipeline in the process (finish()'s label cache)
};

}  // namespace lms::http
