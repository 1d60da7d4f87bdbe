#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "eventstore/audit.hpp"
#include "eventstore/kafka.hpp"
#include "eventstore/relay.hpp"
#include "ops/commands.hpp"
#include "projections/runner.hpp"

namespace lms::ops {
namespace {

// A progress bar on stderr: done/total, events per second and the time left.
class ProgressBar {
public:
    explicit ProgressBar(std::string label) : label_(std::move(label)), start_(std::chrono::steady_clock::now()) {}
    void update(std::int64_t done, std::int64_t total) {
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count() + 1e-9;
        const double rate = static_cast<double>(done) / secs;
        const double frac = total > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 1.0;
        const int width = 30;
        const int filled = static_cast<int>(frac * width);
        const double eta = rate > 0 && total > done ? static_cast<double>(total - done) / rate : 0;
        std::fprintf(stderr, "\r%s [%.*s%*s] %3.0f%% %lld/%lld events %.0f ev/s ETA %.0fs ", label_.c_str(), filled,
                     "##############################", width - filled, "", frac * 100, static_cast<long long>(done),
                     static_cast<long long>(total), rate, eta);
        std::fflush(stderr);
    }
    void finish() { std::fputc('\n', stderr); }

private:
    std::string label_;
    std::chrono::steady_clock::time_point start_;
};

// The generic state of a stream as of a time: its version and the JSON merge-patch (RFC 7396)
// of every event's data in order. Contexts with a decider of their own will print their state.
nlohmann::json genericState(const std::vector<eventstore::RecordedEvent>& events) {
    nlohmann::json state = nlohmann::json::object();
    for (const auto& e : events) {
        const auto data = nlohmann::json::parse(e.data, nullptr, false);
        if (data.is_object()) state.merge_patch(data);
    }
    return state;
}

}  // namespace

int replay(const Config& config, const Args& args) {
    if (wantsHelp(args)) {
        std::cout << R"(usage: lms replay [--projection NAME]

Rebuilds read models from the first event into fresh tables, then swaps them in atomically; the
API keeps serving the old tables until the swap. Progress (events/s, ETA) goes to stderr.
Without --projection every read model is rebuilt. Projections: )";
        for (const auto& p : allProjections()) std::cout << p->name() << " ";
        std::cout << "\n";
        return 0;
    }
    const std::string only = option(args, "projection");
    pg::Connection c(config.databaseUrl);
    eventstore::migrate(c);
    bool found = false;
    for (auto& p : allProjections()) {
        if (!only.empty() && p->name() != only) continue;
        found = true;
        ProgressBar bar(p->name());
        const auto t0 = std::chrono::steady_clock::now();
        const auto n = projections::rebuild(c, *p, [&](const projections::ReplayProgress& pr) {
            if (isatty(STDERR_FILENO) != 0 || pr.done == pr.total) bar.update(pr.done, pr.total);
        });
        bar.finish();
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::cout << "replay: " << p->name() << ": " << n << " events in " << secs << " s, swapped in" << std::endl;
    }
    if (!found) {
        std::cerr << "lms replay: no projection named '" << only << "' (lms replay --help lists them)\n";
        return 2;
    }
    return 0;
}

int audit(const Config& config, const Args& args) {
    const std::string sub = args.empty() ? "" : args[0];
    if (sub.empty() || (wantsHelp(args) && sub != "stream" && sub != "verify")) {
        std::cout << R"(usage: lms audit verify
       lms audit stream STREAM_ID [--as-of TIME]

verify   recomputes every stream's hash chain and reports the first altered event of each stream
         (exit status 1 when anything was altered)
stream   prints a stream's history (version, time, type, actor, data) and its state as of TIME
         (RFC 3339, e.g. 2026-11-23T10:00:00Z; default: now)
)";
        return sub.empty() ? 2 : 0;
    }
    pg::Connection c(config.databaseUrl);
    if (sub == "verify") {
        if (wantsHelp(args)) {
            std::cout << "usage: lms audit verify\n\nRecomputes every hash chain; exit status 1 on tampering.\n";
            return 0;
        }
        const auto report = eventstore::verifyChains(c);
        for (const auto& f : report.findings) {
            std::cout << "ALTERED stream=" << f.streamId << " version=" << f.version
                      << (f.eventId.empty() ? "" : " event=" + f.eventId) << ": " << f.reason << "\n";
        }
        std::cout << "audit: " << report.streams << " streams, " << report.events << " events verified, "
                  << report.findings.size() << " altered" << std::endl;
        return report.findings.empty() ? 0 : 1;
    }
    if (sub == "stream") {
        if (wantsHelp(args) || args.size() < 2) {
            std::cout << "usage: lms audit stream STREAM_ID [--as-of TIME]\n";
            return wantsHelp(args) ? 0 : 2;
        }
        std::int64_t asOf = INT64_MAX;
        const auto asOfText = option(args, "as-of");
        if (!asOfText.empty() && !parseTimestampUs(asOfText, asOf)) {
            std::cerr << "lms audit: --as-of '" << asOfText << "' is not an RFC 3339 time\n";
            return 2;
        }
        eventstore::EventStore store(c);
        const auto all = store.readStream(args[1]);
        if (all.empty()) {
            std::cerr << "lms audit: no stream '" << args[1] << "'\n";
            return 1;
        }
        std::vector<eventstore::RecordedEvent> upTo;
        std::cout << "history of " << args[1] << ":\n";
        for (const auto& e : all) {
            if (e.recordedAtUs > asOf) break;
            upTo.push_back(e);
            const auto meta = nlohmann::json::parse(e.metadata, nullptr, false);
            std::cout << "  v" << e.version << "  " << formatTimestampUs(e.recordedAtUs) << "  " << e.type
                      << "  actor=" << (meta.is_object() ? meta.value("actorId", "-") : "-") << "  " << e.data << "\n";
        }
        if (upTo.size() < all.size()) {
            std::cout << "  (" << all.size() - upTo.size() << " later event(s) not shown: after --as-of)\n";
        }
        std::cout << "state as of " << (asOfText.empty() ? "now" : asOfText) << " (version "
                  << (upTo.empty() ? 0 : upTo.back().version) << "):\n"
                  << genericState(upTo).dump(2) << std::endl;
        return 0;
    }
    std::cerr << "lms audit: unknown subcommand '" << sub << "'\n";
    return 2;
}

int events(const Config& config, const Args& args) {
    if (args.empty() || args[0] != "tail" || wantsHelp(args)) {
        std::cout << R"(usage: lms events tail [--from POSITION] [--limit N] [--follow]

Prints events in the global order as JSON lines, in the envelope the relay publishes to Kafka.
POSITION is txId/position as printed in each envelope (default: from the first event).
--follow keeps printing new events as they are committed, until Ctrl-C.
)";
        return wantsHelp(args) ? 0 : 2;
    }
    eventstore::GlobalPosition from{};
    const auto fromText = option(args, "from");
    if (!fromText.empty()) from = eventstore::GlobalPosition::parse(fromText);
    const auto limitText = option(args, "limit");
    const long long limit = limitText.empty() ? -1 : std::stoll(limitText);
    const bool follow = flag(args, "follow");
    pg::Connection c(config.databaseUrl);
    eventstore::Subscription sub(c, from, config.pollIntervalMs);
    long long printed = 0;
    for (;;) {
        const auto batch = sub.next(1000);
        for (const auto& e : batch) {
            if (limit >= 0 && printed >= limit) return 0;
            std::cout << eventstore::envelopeJson(e, contexts().categories().contextOf(e.streamId)) << "\n";
            ++printed;
        }
        std::cout.flush();
        if (batch.empty() && !follow) return 0;
    }
}

int devKafka(const Config&, const Args& args) {
    if (wantsHelp(args)) {
        std::cout << R"(usage: lms dev-kafka [--brokers N]

Hosts librdkafka's mock Kafka cluster (N brokers, default 1) in this process and prints its
bootstrap address on the first line of stdout. For runs of several processes and crash tests.
Everything is in memory: it is for development and tests, never a place to keep anything.
)";
        return 0;
    }
    const auto n = option(args, "brokers");
    blockSignals();
    kafka::EmbeddedCluster cluster(n.empty() ? 1 : std::stoi(n));
    std::cout << cluster.bootstrapServers() << std::endl;
    waitForSignal();
    return 0;
}

}  // namespace lms::ops
