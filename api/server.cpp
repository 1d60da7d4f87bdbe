#include "api/server.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "api/http/pipeline.hpp"
#include "api/openapi.hpp"
#include "api/transport.hpp"
#include "common/metrics.hpp"
#include "eventstore/kafka.hpp"

namespace lms::api {

using http::Request;
using http::Response;
using http::Router;

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

Server::Server(const Config& config, Router router) : router_(std::make_shared<const Router>(std::move(router))) {
    http::Policy policy;
    policy.maxBodyBytes = static_cast<std::size_t>(config.maxBodyBytes);
    policy.corsOrigins = config.corsOrigins;
    policy.trustedProxies = config.trustedProxies;
    policy.metricsToken = config.metricsToken;
    TransportSettings t;
    t.host = config.httpHost;
    t.port = config.httpPort;
    t.ioThreads = config.httpIoThreads;
    t.workers = config.httpThreads;
    t.maxQueued = config.httpMaxQueued;
    t.maxConnections = config.httpMaxConnections;
    t.keepAliveTimeoutMs = config.httpKeepAliveTimeoutMs;
    t.headerTimeoutMs = config.httpHeaderTimeoutMs;
    t.bodyTimeoutMs = config.httpBodyTimeoutMs;
    t.writeTimeoutMs = config.httpWriteTimeoutMs;
    t.shutdownGraceMs = config.httpShutdownGraceMs;
    t.limits.maxHeaderBytes = static_cast<std::size_t>(config.httpMaxHeaderBytes);
    t.limits.maxFields = static_cast<std::size_t>(config.httpMaxHeaders);
    t.limits.maxBodyBytes = static_cast<std::size_t>(config.maxBodyBytes);
    transport_ = std::make_unique<Transport>(t, std::make_shared<const http::Pipeline>(router_, std::move(policy)));
}

Server::~Server() { stop(); }

void Server::start() { transport_->start(); }

void Server::stop() {
    if (transport_) transport_->stop();
}

int Server::port() const { return transport_->port(); }

}  // namespace lms::api
