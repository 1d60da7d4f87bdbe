#pragma once
// One registration per bounded context. A context exposes one function, e.g.
// `identity::registerContext(Registry&)`, that declares its stream categories, its projections,
// its HTTP side (routes and whatever state they keep) and its workers; `ops/contexts.cpp` calls
// each context's function, one line a context, and `lms serve`, `lms replay` and the tests build
// what they need from the registry. Its OpenAPI fragment (`api/<context>/openapi.json`) is
// found and merged by the build.
#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "api/event_feed.hpp"
#include "api/http/auth.hpp"
#include "api/http/router.hpp"
#include "common/clock.hpp"
#include "common/config.hpp"
#include "domain/core/categories.hpp"
#include "eventstore/group_commit.hpp"
#include "eventstore/pg.hpp"
#include "projections/projection.hpp"

namespace lms::api {

// What the process offers every context: made once by `lms serve`.
struct Environment {
    const Config& config;
    const Clock& clock;
    std::string brokers;  // Kafka bootstrap servers (the embedded cluster's when LMS_KAFKA_BROKERS is unset)
};

// What a context's HTTP side is built from.
struct Services {
    const Environment& env;
    pg::Pool& pool;                       // connections shared by HTTP handlers
    EventFeed& feed;                      // committed events, for what the sides keep in memory (subscribe when built)
    eventstore::GroupCommit& newStreams;  // appends that start a stream, committed together (group_commit.hpp)
    std::string secret;                   // the server's secret (common/secrets.hpp)
    // Who is calling: provided by the identity context, which registers first.
    http::Authenticator* authenticator = nullptr;
};

// A context's HTTP side: its routes and the state they keep (caches, rate limiters).
// The signed-in caller, or the 401/403 to answer (every context's routes use it).
expected<http::Principal, http::Response> signedIn(const Services& services, const http::Request& req);

class HttpSide {
public:
    virtual ~HttpSide() = default;
    virtual void mount(http::Router& router) = 0;
    // Called once every side is mounted, before the server accepts requests; and at stop.
    virtual void start() {}
    virtual void stop() {}
};

class Registry {
public:
    using MakeProjection = std::function<std::unique_ptr<projections::Projection>()>;
    using MakeHttpSide = std::function<std::unique_ptr<HttpSide>(Services&)>;
    using RunWorker = std::function<void(const Environment&, const std::atomic<bool>& stop)>;
    struct Worker {
        std::string name;
        RunWorker run;
    };

    void streamCategories(std::span<const domain::StreamCategory> categories);
    void projection(MakeProjection make);
    void http(MakeHttpSide make);
    void worker(std::string name, RunWorker run);

    const domain::StreamCategories& categories() const { return categories_; }
    // A fresh instance of every projection, in registration order.
    std::vector<std::unique_ptr<projections::Projection>> projections() const;
    // Builds every context's HTTP side and mounts its routes; the sides live as long as the result.
    std::vector<std::unique_ptr<HttpSide>> mountHttp(Services& services, http::Router& router) const;
    const std::vector<Worker>& workers() const { return workers_; }

private:
    domain::StreamCategories categories_;
    std::vector<MakeProjection> projections_;
    std::vector<MakeHttpSide> http_;
    std::vector<Worker> workers_;
};

}  // namespace lms::api
