// lms dlq list|retry: the dead letters of every worker (the mailer's <prefix>.mail.dlq, the
// certificate worker's <prefix>.certificates.dlq), and their re-drive: the message goes back to
// the topic it came from, after what would stop a second attempt is cleared (the mailer's
// record of the failure), and the retry is recorded (stream deadletter-<topic>-<partition>-<offset>)
// so that a dead letter is re-driven once and `list` says when.
#include <iostream>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/kafka.hpp"
#include "ops/commands.hpp"

namespace lms::ops {
namespace {

constexpr const char* kRetried = "DeadLetterRetried";
constexpr const char* kMailRetry = "MailRetryRequested";

struct DeadLetter {
    kafka::IncomingMessage m;
    std::string id;  // topic/partition/offset in the dead-letter topic
    std::string stream() const {
        std::string s = "deadletter-" + id;
        for (auto& ch : s)
            if (ch == '/') ch = '-';
        return s;
    }
    std::string header(const std::string& name) const {
        const auto it = m.headers.find(name);
        return it == m.headers.end() ? "" : it->second;
    }
};

std::vector<std::string> deadLetterTopics(const Config& config, const std::string& worker) {
    std::vector<std::string> all;
    for (const char* w : {"mail", "certificates"})
        if (worker.empty() || worker == w) all.push_back(config.topicPrefix + "." + w + ".dlq");
    return all;
}

// Every message of the dead-letter topics, from their start to the end each partition has now
// (asked of the cluster first, so that nothing is missed and nothing is waited for).
std::vector<DeadLetter> readAll(const std::string& brokers, const std::vector<std::string>& topics) {
    std::vector<DeadLetter> out;
    for (auto& m : kafka::readToEnd(brokers, topics, std::chrono::seconds(30))) {
        std::string id = m.topic + "/" + std::to_string(m.partition) + "/" + std::to_string(m.offset);
        out.push_back(DeadLetter{std::move(m), std::move(id)});
    }
    return out;
}

std::string retriedAt(eventstore::EventStore& store, const DeadLetter& d) {
    const auto events = store.readStream(d.stream());
    if (events.empty()) return "";
    return nlohmann::json::parse(events.back().data).value("retriedAt", "");
}

// What stops the worker from trying again, cleared: the mailer's outcome stream says the trigger
// was handled unless its last event asks for another attempt.
void clearBlock(pg::Connection& c, const DeadLetter& d, const domain::Metadata& meta) {
    if (d.header("lms.dlq.consumer") != "lms-mailer") return;
    const auto envelope = nlohmann::json::parse(d.m.value, nullptr, false);
    if (!envelope.is_object() || !envelope["eventId"].is_string()) return;
    const std::string stream = "mail-" + envelope["eventId"].get<std::string>();
    eventstore::EventStore store(c);
    const auto history = store.readStream(stream);
    if (history.empty() || history.back().type == kMailRetry) return;
    const eventstore::NewEvent e{newUuid(), kMailRetry, 1,
                                 nlohmann::json{{"triggerEventId", envelope["eventId"]}, {"deadLetter", d.id}}.dump(),
                                 meta.toJson().dump()};
    (void)store.append(stream, eventstore::ExpectedVersion::exact(domain::StreamVersion(history.back().version)), {e});
}

}  // namespace

int dlq(const Config& config, const Args& args) {
    const std::string verb = args.empty() ? "" : args[0];
    if ((verb != "list" && verb != "retry") || wantsHelp(args)) {
        std::cout << R"(usage: lms dlq list [--worker mail|certificates] [--brokers HOST:PORT]
       lms dlq retry (--all | --id TOPIC/PARTITION/OFFSET) [--worker mail|certificates] [--brokers HOST:PORT]

The dead letters of the workers: <prefix>.mail.dlq (the mailer) and <prefix>.certificates.dlq (the
certificate worker). `list` prints each with where it came from, its attempts and its last error,
and whether it was retried. `retry` sends each one not retried yet (or the one named by --id) back
to the topic it came from, clearing what would stop a second attempt (the mailer's MailFailed),
and records the retry, so that a dead letter is re-driven once. The brokers are LMS_KAFKA_BROKERS
(or --brokers: the embedded cluster's address, which `lms serve` prints).
)";
        return wantsHelp(args) ? 0 : 2;
    }
    std::string brokers = option(args, "brokers");
    if (brokers.empty()) brokers = config.kafkaBrokers;
    if (brokers.empty()) {
        std::cerr << "lms dlq: no brokers: set LMS_KAFKA_BROKERS or pass --brokers (lms serve prints the embedded "
                     "cluster's address)\n";
        return 2;
    }
    const std::string worker = option(args, "worker");
    if (!worker.empty() && worker != "mail" && worker != "certificates") {
        std::cerr << "lms dlq: --worker is mail or certificates\n";
        return 2;
    }
    const std::string only = option(args, "id");
    if (verb == "retry" && only.empty() && !flag(args, "all")) {
        std::cerr << "lms dlq retry: --all or --id TOPIC/PARTITION/OFFSET\n";
        return 2;
    }
    pg::Connection c(config.databaseUrl);
    eventstore::EventStore store(c);
    const auto letters = readAll(brokers, deadLetterTopics(config, worker));
    if (verb == "list") {
        for (const auto& d : letters) {
            const auto envelope = nlohmann::json::parse(d.m.value, nullptr, false);
            const auto retried = retriedAt(store, d);
            std::cout << d.id << "  " << (envelope.is_object() ? envelope.value("type", "?") : "?") << " "
                      << (envelope.is_object() ? envelope.value("eventId", "?") : "?") << "  from "
                      << d.header("lms.dlq.source") << " (" << d.header("lms.dlq.consumer") << ", "
                      << d.header("lms.dlq.attempts") << " attempts): " << d.header("lms.dlq.error")
                      << (retried.empty() ? "" : "  [retried " + retried + "]") << "\n";
        }
        std::cout << letters.size() << " dead letter(s)" << std::endl;
        return 0;
    }
    kafka::Producer producer(brokers);
    int sent = 0;
    bool found = false;
    for (const auto& d : letters) {
        if (!only.empty() && d.id != only) continue;
        found = true;
        if (!retriedAt(store, d).empty()) {
            if (!only.empty()) std::cout << d.id << " was retried already\n";
            continue;
        }
        const auto source = d.header("lms.dlq.source");
        const auto topic = source.substr(0, source.find('/'));
        if (topic.empty()) {
            std::cerr << "lms dlq: " << d.id << " names no source topic; left alone\n";
            continue;
        }
        const domain::Metadata meta{"lms-dlq", "cli-" + newUuid(), ""};
        clearBlock(c, d, meta);
        kafka::OutgoingMessage out{topic, d.m.key, d.m.value, {}};
        for (const auto& [k, v] : d.m.headers)
            if (k.rfind("lms.dlq.", 0) != 0) out.headers.emplace_back(k, v);
        if (producer.sendAll({out}, std::chrono::seconds(30)) != 0) {
            std::cerr << "lms dlq: " << topic << " did not acknowledge " << d.id << "\n";
            return 1;
        }
        const eventstore::NewEvent e{newUuid(), kRetried, 1,
                                     nlohmann::json{{"deadLetter", d.id},
                                                    {"source", source},
                                                    {"retriedAt", std::to_string(Clock::system().nowUs())}}
                                         .dump(),
                                     meta.toJson().dump()};
        (void)store.append(d.stream(), eventstore::ExpectedVersion::noStream(), {e});
        std::cout << "retried " << d.id << " -> " << topic << "\n";
        ++sent;
    }
    if (!only.empty() && !found) {
        std::cerr << "lms dlq: no dead letter " << only << "\n";
        return 1;
    }
    std::cout << sent << " dead letter(s) sent back" << std::endl;
    return 0;
}

}  // namespace lms::ops
