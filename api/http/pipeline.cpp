#include "api/http/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <map>
#include <tuple>

#include "api/http/problem.hpp"
#include "api/http/rate_limit.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/secure.hpp"

namespace lms::http {
namespace {

bool validRequestId(const std::string& id) {
    if (id.empty() || id.size() > 128) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.' || c == ':';
    });
}

// The method as a metric label: one of the seven served, or OTHER (short: no allocation).
std::string metricMethod(const std::string& method) { return knownMethod(method) ? method : "OTHER"; }

bool isJson(const std::string& contentType) {
    std::string base = contentType.substr(0, contentType.find(';'));
    while (!base.empty() && (base.back() == ' ' || base.back() == '\t')) base.pop_back();
    for (auto& ch : base) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return base == "application/json";
}

std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

}  // namespace

Pipeline::Pipeline(std::shared_ptr<const Router> router, Policy policy)
    : router_(std::move(router)), policy_(std::move(policy)) {
    static std::atomic<std::uint64_t> pipelines{0};
    id_ = ++pipelines;
}

std::optional<Response> Pipeline::admit(Exchange& x, const Head& head, const std::string& peer) const {
    Request& req = x.request;
    req.method = head.method;
    const auto q = head.target.find('?');
    req.path = head.target.substr(0, q);
    if (q != std::string::npos) req.query = head.target.substr(q + 1);
    for (const auto& [name, value] : head.fields) {
        auto [it, fresh] = req.headers.try_emplace(lower(name), value);
        // A field given twice is one list (RFC 9110 §5.3); cookies are joined the way they are sent.
        if (!fresh) it->second += (it->first == "cookie" ? "; " : ", ") + value;
    }
    const auto& given = req.header("x-request-id");
    req.requestId = validRequestId(given) ? given : newUuid();
    req.clientIp = clientIp(peer, req);
    x.headRequest = req.method == "HEAD";
    const auto& origin = req.header("origin");
    if (!origin.empty() &&
        std::find(policy_.corsOrigins.begin(), policy_.corsOrigins.end(), origin) != policy_.corsOrigins.end()) {
        x.origin = origin;
    }

    if (!knownMethod(req.method)) {
        return problem(501, "not_implemented", "the method is not one this server implements", req.requestId);
    }
    if (req.method == "OPTIONS" && !req.header("access-control-request-method").empty()) {
        // A CORS preflight: answered for allowed origins, without CORS headers for the others.
        Response res{204, "", "", {}};
        if (!x.origin.empty()) {
            res.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
            res.headers.emplace_back("Access-Control-Allow-Headers",
                                     "Authorization, Content-Type, X-Request-Id, X-CSRF-Token, Idempotency-Key");
            res.headers.emplace_back("Access-Control-Max-Age", "600");
        }
        return res;
    }
    bool pathExists = false;
    x.route = router_->match(req.method, req.path, req.params, pathExists);
    if (x.route == nullptr) {
        return pathExists ? problem(405, "method_not_allowed", "this path does not take " + req.method, req.requestId)
                          : problem(404, "not_found", "no such resource: " + validUtf8(req.path), req.requestId);
    }
    x.routeLabel = x.route->pattern;
    if (req.path == "/metrics" && !policy_.metricsToken.empty()) {
        const auto& auth = req.header("authorization");
        const std::string prefix = "Bearer ";
        const bool ok = auth.size() > prefix.size() && auth.compare(0, prefix.size(), prefix) == 0 &&
                        constantTimeEquals(std::string_view(auth).substr(prefix.size()), policy_.metricsToken);
        if (!ok) {
            auto res = problem(401, "unauthenticated", "/metrics needs the bearer token of LMS_METRICS_TOKEN",
                               req.requestId);
            res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"metrics\"");
            return res;
        }
    }
    if (x.route->limitPerClient) {
        const auto verdict = x.route->limitPerClient->take(req.clientIp);
        if (!verdict.allowed) {
            auto res = problem(429, "rate_limited", "too many requests; try again later", req.requestId);
            res.headers.emplace_back("Retry-After", std::to_string(verdict.retryAfterSeconds));
            return res;
        }
    }
    return std::nullopt;
}

Response Pipeline::complete(Exchange& x, std::string body) const {
    Request& req = x.request;
    req.body = std::move(body);
    log::CorrelationScope scope(req.requestId);
    try {
        if (unsafeMethod(req.method) && !req.body.empty() && !isJson(req.header("content-type"))) {
            return problem(415, "unsupported_media_type",
                           "send the body as application/json (got '" + validUtf8(req.header("content-type")) + "')",
                           req.requestId);
        }
        return x.route->handler(req);
    } catch (const std::exception& e) {
        // The client learns only that it failed and which request to quote; the log has the rest.
        spdlog::error("{} {}: {}", req.method, req.path, e.what());
        return problem(500, "internal_error", "the request failed; quote the request id when reporting it",
                       req.requestId);
    }
}

Response Pipeline::refuse(Exchange& x, int status, const std::string& code, const std::string& detail) const {
    if (x.request.requestId.empty()) x.request.requestId = newUuid();
    return problem(status, code, detail, x.request.requestId);
}

std::string Pipeline::finish(const Exchange& x, const Response& r, bool keepAlive) const {
    const Request& req = x.request;
    static constexpr std::string_view kSecurity =
        "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: no-referrer\r\n"
        "Cache-Control: no-store\r\n";
    static constexpr std::string_view kPolicy =
        "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n";
    // A page that needs more (a provider's checkout script) sets its own policy; every other
    // answer gets the one that allows nothing.
    const bool ownPolicy = std::any_of(r.headers.begin(), r.headers.end(),
                                       [](const auto& h) { return h.first == "Content-Security-Policy"; });
    std::string extra;
    extra.reserve(64 + kSecurity.size() + kPolicy.size() + (x.origin.empty() ? 0 : 192 + x.origin.size()));
    extra.append("X-Request-Id: ").append(req.requestId).append("\r\n").append(kSecurity);
    if (!ownPolicy) extra.append(kPolicy);
    if (!x.origin.empty()) {
        extra.append("Access-Control-Allow-Origin: ").append(x.origin).append("\r\n");
        extra.append(
            "Access-Control-Allow-Credentials: true\r\nAccess-Control-Expose-Headers: X-Request-Id, Retry-After\r\n"
            "Vary: Origin\r\n");
    }
    std::string bytes = serialise(r, extra, keepAlive, x.headRequest);
    const auto us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - x.started).count();
    {
        log::CorrelationScope scope(req.requestId);
        spdlog::info("http {} {} route={} status={} us={} ip={}", req.method.empty() ? "-" : req.method,
                     req.path.empty() ? "-" : req.path, x.routeLabel, r.status, us, req.clientIp);
    }
    // Label values come from a fixed set (the router's patterns, the served methods, statuses),
    // never from what a client writes, so that the number of series stays bounded. Each thread
    // keeps the rendered label sets it has seen (routes x methods x statuses: a few hundred).
    static const std::string kName = "lms_http_request_duration_seconds";
    static const std::string kHelp = "HTTP request latency";
    // Keyed by this pipeline's id and the route's address (a later server in the same process may
    // reuse an address, never an id), the method and the status.
    thread_local std::map<std::tuple<std::uint64_t, const void*, std::string, int>, std::string> keys;
    const auto method = metricMethod(req.method);
    auto probe = std::make_tuple(id_, static_cast<const void*>(x.route), method, r.status);
    auto key = keys.find(probe);
    if (key == keys.end()) {
        const metrics::Labels labels{{"method", method}, {"route", x.routeLabel}, {"status", std::to_string(r.status)}};
        key = keys.emplace(std::move(probe), metrics::Registry::labelKey(labels)).first;
    }
    metrics::Registry::global().observeSeries(kName, kHelp, key->second, static_cast<double>(us) / 1e6);
    return bytes;
}

std::string Pipeline::clientIp(const std::string& peer, const Request& req) const {
    // The socket's peer, unless it is a trusted proxy: then the nearest X-Forwarded-For hop that
    // is not one (clients can write anything to the left of what our proxies appended).
    const auto& trusted = policy_.trustedProxies;
    auto isTrusted = [&](const std::string& ip) {
        return std::find(trusted.begin(), trusted.end(), ip) != trusted.end();
    };
    if (!isTrusted(peer)) return peer;
    std::string hops = req.header("x-forwarded-for");
    while (!hops.empty()) {
        const auto comma = hops.rfind(',');
        std::string hop = hops.substr(comma == std::string::npos ? 0 : comma + 1);
        hop.erase(0, hop.find_first_not_of(" \t"));
        hop.erase(hop.find_last_not_of(" \t") + 1);
        if (!hop.empty() && !isTrusted(hop)) return hop;
        if (comma == std::string::npos) break;
        hops.erase(comma);
    }
    return peer;
}

}  // namespace lms::http
