#include "api/server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "api/http/problem.hpp"
#include "api/http/rate_limit.hpp"
#include "api/openapi.hpp"
#include "eventstore/kafka.hpp"

namespace lms::api {
namespace {

using http::problem;
using http::Request;
using http::Response;
using http::Router;

bool validRequestId(const std::string& id) {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || c == ':';
        if (!ok) return false;
    }
    return true;
}

// The method as a metric label: one of the standard ones, or OTHER.
std::string metricMethod(const std::string& method) {
    for (const char* m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
        if (method == m) return method;
    }
    return "OTHER";
}

bool isJson(const std::string& contentType) {
    const auto semi = contentType.find(';');
    std::string base = contentType.substr(0, semi);
    while (!base.empty() && base.back() == ' ') base.pop_back();
    for (auto& ch : base) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return base == "application/json";
}

struct Policy {
    std::size_t maxBodyBytes = 65536;
    std::vector<std::string> corsOrigins;
    std::vector<std::string> trustedProxies;
    bool allowsOrigin(const std::string& origin) const {
        return std::find(corsOrigins.begin(), corsOrigins.end(), origin) != corsOrigins.end();
    }
};

class Dispatcher final : public Poco::Net::HTTPRequestHandler {
public:
    Dispatcher(std::shared_ptr<Router> router, std::shared_ptr<const Policy> policy)
        : router_(std::move(router)), policy_(std::move(policy)) {}

    void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
        const auto started = std::chrono::steady_clock::now();
        Request req;
        req.method = in.getMethod();
        const std::string& uri = in.getURI();
        const auto q = uri.find('?');
        req.path = uri.substr(0, q);
        if (q != std::string::npos) req.query = uri.substr(q + 1);
        for (const auto& [k, v] : in) {
            std::string name = k;
            for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            req.headers[name] = v;
        }
        const auto given = req.headers.find("x-request-id");
        req.requestId = (given != req.headers.end() && validRequestId(given->second)) ? given->second : newUuid();
        req.clientIp = clientIp(in.clientAddress().host().toString(), req.headers);
        log::CorrelationScope scope(req.requestId);

        Response res;
        std::string route = "unmatched";
        const auto origin = req.headers.find("origin");
        const bool corsAllowed = origin != req.headers.end() && policy_->allowsOrigin(origin->second);
        try {
            bool pathExists = false;
            const Router::Route* r = router_->match(req.method, req.path, req.params, pathExists);
            if (req.method == "OPTIONS" && req.headers.count("access-control-request-method") != 0) {
                // A CORS preflight: answered for allowed origins, without CORS headers otherwise.
                res = Response{204, "text/plain", "", {}};
                if (corsAllowed) {
                    res.headers.push_back({"Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE"});
                    res.headers.push_back({"Access-Control-Allow-Headers",
                                           "Authorization, Content-Type, X-Request-Id, X-CSRF-Token, Idempotency-Key"});
                    res.headers.push_back({"Access-Control-Max-Age", "600"});
                }
            } else if (r == nullptr) {
                res = pathExists
                          ? problem(405, "method_not_allowed", "this path does not take " + req.method, req.requestId)
                          : problem(404, "not_found", "no such resource: " + req.path, req.requestId);
            } else {
                route = r->pattern;
                http::RateLimiter::Verdict verdict;
                if (r->limitPerClient) verdict = r->limitPerClient->take(req.clientIp);
                if (!verdict.allowed) {
                    res = problem(429, "rate_limited", "too many requests; try again later", req.requestId);
                    res.headers.push_back({"Retry-After", std::to_string(verdict.retryAfterSeconds)});
                } else {
                    res = readBody(in, req);
                }
                if (verdict.allowed && res.status == 0) res = r->handler(req);
            }
        } catch (const std::exception& e) {
            // The client learns only that it failed and which request to quote; the log has the rest.
            spdlog::error("{} {}: {}", req.method, req.path, e.what());
            res = problem(500, "internal_error", "the request failed; quote the request id when reporting it",
                          req.requestId);
        }
        out.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(res.status));
        out.setContentType(res.contentType);
        out.set("X-Request-Id", req.requestId);
        out.set("X-Content-Type-Options", "nosniff");
        out.set("X-Frame-Options", "DENY");
        out.set("Referrer-Policy", "no-referrer");
        out.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        out.set("Cache-Control", "no-store");
        if (corsAllowed) {
            out.set("Access-Control-Allow-Origin", origin->second);
            out.set("Access-Control-Allow-Credentials", "true");
            out.set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
            out.set("Vary", "Origin");
        }
        for (const auto& [k, v] : res.headers) out.add(k, v);
        out.setContentLength(static_cast<std::streamsize>(res.body.size()));
        out.send() << res.body;
        const auto us =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
        spdlog::info("http {} {} route={} status={} us={} ip={}", req.method, req.path, route, res.status, us,
                     req.clientIp);
        // Label values come from a fixed set (the router's patterns, the standard methods, statuses),
        // never from what a client writes, so that the number of series stays bounded.
        const metrics::Labels labels{
            {"method", metricMethod(req.method)}, {"route", route}, {"status", std::to_string(res.status)}};
        metrics::Registry::global().observe("lms_http_request_duration_seconds", "HTTP request latency", labels,
                                            static_cast<double>(us) / 1e6);
    }

private:
    // The socket's peer, unless it is a trusted proxy: then the nearest X-Forwarded-For hop that
    // is not one (clients can write anything to the left of what our proxies appended).
    std::string clientIp(const std::string& peer, const std::map<std::string, std::string>& headers) const {
        const auto& trusted = policy_->trustedProxies;
        auto isTrusted = [&](const std::string& ip) {
            return std::find(trusted.begin(), trusted.end(), ip) != trusted.end();
        };
        if (!isTrusted(peer)) return peer;
        const auto xff = headers.find("x-forwarded-for");
        if (xff == headers.end()) return peer;
        std::string hops = xff->second;
        while (!hops.empty()) {
            const auto comma = hops.rfind(',');
            std::string hop = hops.substr(comma == std::string::npos ? 0 : comma + 1);
            hop.erase(0, hop.find_first_not_of(' '));
            hop.erase(hop.find_last_not_of(' ') + 1);
            if (!hop.empty() && !isTrusted(hop)) return hop;
            if (comma == std::string::npos) break;
            hops.erase(comma);
        }
        return peer;
    }

    // Reads the body within the size limit and checks its type; returns a status-0 response when
    // the request may go on, or the 413/415 problem.
    Response readBody(Poco::Net::HTTPServerRequest& in, Request& req) const {
        const auto limit = policy_->maxBodyBytes;
        if (in.hasContentLength() && in.getContentLength64() > static_cast<Poco::Int64>(limit)) {
            return problem(413, "body_too_large", "the body exceeds " + std::to_string(limit) + " bytes", req.requestId);
        }
        std::string body;
        char buf[8192];
        while (in.stream()) {
            in.stream().read(buf, sizeof buf);
            body.append(buf, static_cast<std::size_t>(in.stream().gcount()));
            if (body.size() > limit) {
                return problem(413, "body_too_large", "the body exceeds " + std::to_string(limit) + " bytes",
                               req.requestId);
            }
        }
        req.body = std::move(body);
        const bool unsafe = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
        if (unsafe && !req.body.empty() && !isJson(in.getContentType())) {
            return problem(415, "unsupported_media_type",
                           "send the body as application/json (got '" + in.getContentType() + "')", req.requestId);
        }
        return Response{0, "", "", {}};
    }

    std::shared_ptr<Router> router_;
    std::shared_ptr<const Policy> policy_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Factory(std::shared_ptr<Router> router, std::shared_ptr<const Policy> policy)
        : router_(std::move(router)), policy_(std::move(policy)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Dispatcher(router_, policy_);
    }

private:
    std::shared_ptr<Router> router_;
    std::shared_ptr<const Policy> policy_;
};

}  // namespace

Response HealthProbe::check(const std::string& requestId) {
    nlohmann::json components;
    bool up = true;
    try {
        auto c = pool_.acquire();
        c->query("SELECT 1");
        components["postgres"] = {{"status", "up"}};
    } catch (const std::exception& e) {
        spdlog::warn("health: postgres: {}", e.what());
        components["postgres"] = {{"status", "down"}};
        up = false;
    }
    {
        std::lock_guard lock(m_);
        const auto now = std::chrono::steady_clock::now();
        if (now - kafkaCheckedAt_ > std::chrono::seconds(1)) {
            kafkaError_.clear();
            kafkaUp_ = kafka::ping(brokers_, std::chrono::milliseconds(2000), kafkaError_);
            kafkaCheckedAt_ = now;
            if (!kafkaUp_) spdlog::warn("health: kafka: {}", kafkaError_);
        }
        components["kafka"] = {{"status", kafkaUp_ ? "up" : "down"}};
        up = up && kafkaUp_;
    }
    nlohmann::json body{{"status", up ? "up" : "down"}, {"components", components}, {"requestId", requestId}};
    return Response{up ? 200 : 503, "application/json", body.dump(), {}};
}

std::string metricsText(pg::Pool& pool) {
    // Lags are read at scrape time: events in the store past each consumer's checkpoint.
    try {
        auto c = pool.acquire();
        const auto r = c->query(
            "SELECT c.name, (SELECT count(*) FROM lms_events e WHERE (e.tx_id, e.position) > (c.tx_id, c.position)) "
            "FROM lms_checkpoints c");
        for (int i = 0; i < r.rows(); ++i) {
            const std::string name = r.str(i, 0);
            if (name == "relay") {
                metrics::Registry::global().set("lms_relay_lag_events", "Events not yet acknowledged by Kafka", {},
                                                static_cast<double>(r.i64(i, 1)));
            } else if (name.rfind("projection:", 0) == 0) {
                metrics::Registry::global().set("lms_projection_lag_events", "Events not yet applied to a read model",
                                                {{"projection", name.substr(11)}}, static_cast<double>(r.i64(i, 1)));
            }
        }
    } catch (const std::exception& e) {
        spdlog::warn("metrics: cannot read lags: {}", e.what());
    }
    return metrics::Registry::global().render();
}

void addCoreRoutes(Router& r, HealthProbe& health, pg::Pool& pool) {
    r.add("GET", "/api/v1/health", [&health](Request& req) { return health.check(req.requestId); });
    r.add("GET", "/api/v1/openapi.json", [](Request&) {
        return Response{200, "application/json", openApiDocument(), {}};
    });
    r.add("GET", "/metrics", [&pool](Request&) {
        return Response{200, "text/plain; version=0.0.4", metricsText(pool), {}};
    });
}

Server::Server(const Config& config, Router router) : router_(std::make_shared<Router>(std::move(router))) {
    auto* params = new Poco::Net::HTTPServerParams;  // owned by the server (Poco's AutoPtr)
    params->setMaxThreads(config.httpThreads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);
    params->setKeepAliveTimeout(Poco::Timespan(10, 0));
    Poco::Net::ServerSocket socket(
        Poco::Net::SocketAddress(config.httpHost, static_cast<Poco::UInt16>(config.httpPort)), 128);
    threads_ = std::make_unique<Poco::ThreadPool>(2, config.httpThreads + 4);
    auto policy = std::make_shared<Policy>();
    policy->maxBodyBytes = static_cast<std::size_t>(config.maxBodyBytes);
    policy->corsOrigins = config.corsOrigins;
    policy->trustedProxies = config.trustedProxies;
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(router_, policy), *threads_, socket, params);
}

Server::~Server() { stop(); }

void Server::start() { server_->start(); }

void Server::stop() {
    if (server_) server_->stopAll(true);
}

int Server::port() const { return server_->port(); }

}  // namespace lms::api
