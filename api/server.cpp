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

#include <nlohmann/json.hpp>

#include "common/ids.hpp"
#include "common/log.hpp"
#include "eventstore/kafka.hpp"

namespace lms::api {
namespace {

bool validRequestId(const std::string& id) {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.' || c == ':';
        if (!ok) return false;
    }
    return true;
}

class Dispatcher final : public Poco::Net::HTTPRequestHandler {
public:
    explicit Dispatcher(std::shared_ptr<Router> router) : router_(std::move(router)) {}

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
        req.clientIp = in.clientAddress().host().toString();
        log::CorrelationScope scope(req.requestId);

        Response res;
        std::string route = "unmatched";
        try {
            bool pathExists = false;
            const Router::Route* r = router_->match(req.method, req.path, req.params, pathExists);
            if (r == nullptr) {
                res = pathExists ? problem(405, "method_not_allowed", "", "this path does not take " + req.method,
                                           req.requestId)
                                 : problem(404, "not_found", "", "no such resource: " + req.path, req.requestId);
            } else {
                route = r->pattern;
                Poco::StreamCopier::copyToString(in.stream(), req.body);
                res = r->handler(req);
            }
        } catch (const std::exception& e) {
            // The client learns only that it failed and which request to quote; the log has the rest.
            spdlog::error("{} {}: {}", req.method, req.path, e.what());
            res = problem(500, "internal_error", "", "the request failed; quote the request id when reporting it",
                          req.requestId);
        }
        out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(res.status));
        out.setContentType(res.contentType);
        out.set("X-Request-Id", req.requestId);
        out.set("X-Content-Type-Options", "nosniff");
        out.set("Cache-Control", "no-store");
        for (const auto& [k, v] : res.headers) out.add(k, v);
        out.setContentLength(static_cast<std::streamsize>(res.body.size()));
        out.send() << res.body;
        const auto us =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
        spdlog::info("http {} {} route={} status={} us={}", req.method, req.path, route, res.status, us);
    }

private:
    std::shared_ptr<Router> router_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    explicit Factory(std::shared_ptr<Router> router) : router_(std::move(router)) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Dispatcher(router_);
    }

private:
    std::shared_ptr<Router> router_;
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

Router makeRouter(HealthProbe& health) {
    Router r;
    r.add("GET", "/api/v1/health", [&health](Request& req) { return health.check(req.requestId); });
    return r;
}

Server::Server(const Config& config, Router router) : router_(std::make_shared<Router>(std::move(router))) {
    auto* params = new Poco::Net::HTTPServerParams;  // owned by the server (Poco's AutoPtr)
    params->setMaxThreads(config.httpThreads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setMaxKeepAliveRequests(0);
    params->setKeepAliveTimeout(Poco::Timespan(10, 0));
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(config.httpHost, static_cast<Poco::UInt16>(config.httpPort)),
                                   128);
    threads_ = std::make_unique<Poco::ThreadPool>(2, config.httpThreads + 4);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(router_), *threads_, socket, params);
}

Server::~Server() { stop(); }

void Server::start() { server_->start(); }

void Server::stop() {
    if (server_) server_->stopAll(true);
}

int Server::port() const { return server_->port(); }

}  // namespace lms::api
