#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "api/http/message.hpp"
#include "api/http/router.hpp"
#include "common/config.hpp"
#include "eventstore/pg.hpp"

namespace lms::api {

// Reports whether PostgreSQL and Kafka answer; Kafka's answer is cached for a second so that a
// busy health check does not open a client per request.
class HealthProbe {
public:
    HealthProbe(pg::Pool& pool, std::string kafkaBrokers) : pool_(pool), brokers_(std::move(kafkaBrokers)) {}
    http::Response check(const std::string& requestId);

private:
    pg::Pool& pool_;
    std::string brokers_;
    std::mutex m_;
    std::chrono::steady_clock::time_point kafkaCheckedAt_{};
    bool kafkaUp_ = false;
    std::string kafkaError_;
};

class Transport;

// The HTTP server: http::Pipeline's policies (request ids, CORS, routing, rate limits, problems,
// security headers, the access log and histogram) over the event-driven Transport, with the
// deadlines, framing rules and bounds of docs/decisions/0010-http-server.md.
class Server {
public:
    Server(const Config& config, http::Router router);
    ~Server();
    void start();
    void stop();
    int port() const;
    const http::Router& router() const { return *router_; }

private:
    std::shared_ptr<const http::Router> router_;
    std::unique_ptr<Transport> transport_;
};

// The server's own routes: GET /api/v1/health, /api/v1/openapi.json and /metrics. Each context
// adds its own through its registration (api/context.hpp); every route is in the OpenAPI document.
void addCoreRoutes(http::Router& router, HealthProbe& health, pg::Pool& pool);

}  // namespace lms::api
