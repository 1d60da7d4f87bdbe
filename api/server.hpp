#pragma once
#include <Poco/Net/HTTPServer.h>
#include <Poco/ThreadPool.h>

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

// The Poco::Net HTTP server: keep-alive, a bounded thread pool, request ids, JSON access log,
// problem details for every error.
class Server {
public:
    Server(const Config& config, http::Router router);
    ~Server();
    void start();
    void stop();
    int port() const;
    const http::Router& router() const { return *router_; }

private:
    std::shared_ptr<http::Router> router_;
    std::unique_ptr<Poco::ThreadPool> threads_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

// The server's own routes: GET /api/v1/health, /api/v1/openapi.json and /metrics. Each context
// adds its own through its registration (api/context.hpp); every route is in the OpenAPI document.
void addCoreRoutes(http::Router& router, HealthProbe& health, pg::Pool& pool);

}  // namespace lms::api
