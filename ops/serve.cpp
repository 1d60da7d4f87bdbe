#include <functional>
#include <spdlog/spdlog.h>

#include <atomic>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "api/context.hpp"
#include "api/idempotency.hpp"
#include "api/server.hpp"
#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "common/secrets.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/key_rotation.hpp"
#include "eventstore/relay.hpp"
#include "ops/commands.hpp"
#include "projections/runner.hpp"

namespace lms::ops {
namespace {

constexpr const char* kHelp = R"(usage: lms serve [--only ROLES]

Runs the server. ROLES is a comma-separated subset of: api, projections, relay, workers
(default: all of them). With LMS_KAFKA_BROKERS unset, an embedded mock Kafka cluster runs
inside the process and its bootstrap address is printed. Applies pending migrations at start,
and wraps data keys stored in clear by older versions under the master key (LMS_MASTER_KEY).
Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.
)";

// Runs one role's loop on its own connection; a lost database connection or a broker error is
// logged and the loop starts again after a pause, until stop is set.
void supervise(const std::string& role, const std::atomic<bool>& stop, const std::function<void()>& body) {
    while (!stop.load()) {
        try {
            body();
        } catch (const std::exception& e) {
            spdlog::error("{}: {}; restarting in 1 s", role, e.what());
            for (int i = 0; i < 10 && !stop.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

std::set<std::string> parseRoles(const std::string& only) {
    std::set<std::string> known{"api", "projections", "relay", "workers"};
    if (only.empty()) return known;
    std::set<std::string> roles;
    std::stringstream ss(only);
    std::string r;
    while (std::getline(ss, r, ',')) {
        if (known.count(r) == 0)
            throw std::invalid_argument("--only: unknown role '" + r + "' (api, projections, relay, workers)");
        roles.insert(r);
    }
    return roles;
}

}  // namespace

int serve(const Config& config, const Args& args) {
    if (wantsHelp(args)) {
        std::cout << kHelp;
        return 0;
    }
    const auto roles = parseRoles(option(args, "only"));
    blockSignals();
    // Before anything records: every family then holds at most this many label sets.
    metrics::Registry::global().setMaxSeries(static_cast<std::size_t>(config.metricsMaxSeries));

    std::unique_ptr<kafka::EmbeddedCluster> embedded;
    std::string brokers = config.kafkaBrokers;
    if (brokers.empty()) {
        embedded = std::make_unique<kafka::EmbeddedCluster>(1);
        brokers = embedded->bootstrapServers();
        std::cout << "kafka: embedded mock cluster at " << brokers << "  (kcat -b " << brokers << " -L)" << std::endl;
    }

    {
        pg::Connection c(config.databaseUrl);
        const int applied = eventstore::migrate(c);
        if (applied > 0) spdlog::info("migrate: applied {} migration(s)", applied);
        // Data keys stored in clear before migration 0006 (or by an older lms still running
        // during an upgrade) are wrapped under the master key.
        const auto wrapped = eventstore::wrapClearDataKeys(c, eventstore::MasterKeys::required());
        if (wrapped > 0) spdlog::info("keys: wrapped {} data key(s) stored in clear", wrapped);
        if (roles.count("projections") != 0) {
            for (auto& p : allProjections()) projections::ensure(c, *p);
        }
    }

    // Wakes every process's subscribers after this process's appends commit (coalesced).
    eventstore::Notifier notifier(config.databaseUrl);
    notifier.install();

    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    auto projectionsList = allProjections();
    if (roles.count("projections") != 0) {
        for (auto& p : projectionsList) {
            threads.emplace_back([&, proj = p.get()] {
                supervise("projection " + proj->name(), stop, [&] {
                    pg::Connection c(config.databaseUrl);
                    projections::Runner runner(c, *proj, 1000, config.pollIntervalMs);
                    runner.run(stop);
                });
            });
        }
    }
    std::unique_ptr<kafka::Producer> producer;
    if (roles.count("relay") != 0) {
        producer = std::make_unique<kafka::Producer>(brokers);
        threads.emplace_back([&] {
            supervise("relay", stop, [&] {
                pg::Connection c(config.databaseUrl);
                eventstore::Relay relay(c, *producer, config.topicPrefix, contexts().categories(), config.relayBatch,
                                        config.pollIntervalMs);
                relay.run(stop);
            });
        });
    }
    const api::Environment env{config, Clock::system(), brokers};
    // Workers: every context's (the mailer, ...); Kafka consumer groups share their work across processes.
    if (roles.count("workers") != 0) {
        for (const auto& w : contexts().workers()) {
            threads.emplace_back([&, worker = &w] { supervise(worker->name, stop, [&] { worker->run(env, stop); }); });
        }
    }

    std::unique_ptr<pg::Pool> pool;
    std::unique_ptr<api::HealthProbe> health;
    eventstore::GroupCommit newStreams;
    std::unique_ptr<api::Services> services;
    std::unique_ptr<api::Idempotency> idempotency;
    std::vector<std::unique_ptr<api::HttpSide>> sides;
    api::EventFeed feed;  // after the sides: destroyed (stopped) before its subscribers are
    std::unique_ptr<api::Server> server;
    if (roles.count("api") != 0) {
        pool = std::make_unique<pg::Pool>(config.databaseUrl, config.dbPoolSize);
        health = std::make_unique<api::HealthProbe>(*pool, brokers);
        services =
            std::make_unique<api::Services>(api::Services{env, *pool, feed, newStreams, serverSecret(config), nullptr});
        http::Router router;
        api::addCoreRoutes(router, *health, *pool);
        sides = contexts().mountHttp(*services, router);
        // Every POST honours Idempotency-Key (API.md): run once, answered the same on a retry.
        idempotency = std::make_unique<api::Idempotency>(*pool, services->secret, services->authenticator);
        router.wrap([&](const http::Router::Route& r) {
            return r.method == "POST" ? idempotency->guard(r.handler) : r.handler;
        });
        for (auto& side : sides) side->start();
        feed.start(config.databaseUrl, config.pollIntervalMs);
        server = std::make_unique<api::Server>(config, std::move(router));
        server->start();
        std::cout << "http: listening on http://" << config.httpHost << ":" << server->port() << std::endl;
    }
    std::cout << "lms: serving (" <<
        [&] {
            std::string s;
            for (const auto& r : roles) s += (s.empty() ? "" : ",") + r;
            return s;
        }() << "); Ctrl-C stops"
              << std::endl;

    const int sig = waitForSignal();
    spdlog::info("received signal {}; stopping", sig);
    stop = true;
    // Each step of the shutdown is timed: a slow one is named in the log.
    auto step = [](const char* what, const std::function<void()>& f) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        if (ms >= 1000) spdlog::warn("stopping: {} took {} ms", what, ms);
    };
    step("the HTTP server", [&] {
        if (server) server->stop();
    });
    step("the contexts' HTTP sides", [&] {
        for (auto& side : sides) side->stop();
    });
    step("the event feed", [&] { feed.stop(); });
    step("the projections, relay and workers", [&] {
        for (auto& t : threads) t.join();
    });
    step("the relay's Kafka producer", [&] { producer.reset(); });
    std::cout << "lms: stopped" << std::endl;
    return 0;
}

int migrate(const Config& config, const Args& args) {
    if (wantsHelp(args)) {
        std::cout << "usage: lms migrate\n\nApplies pending migrations (also done by lms serve at start).\n";
        return 0;
    }
    pg::Connection c(config.databaseUrl);
    const int applied = eventstore::migrate(c);
    std::cout << "migrate: " << applied << " migration(s) applied" << std::endl;
    return 0;
}

}  // namespace lms::ops
