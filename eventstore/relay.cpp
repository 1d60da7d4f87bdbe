#include "eventstore/relay.hpp"

#include <spdlog/spdlog.h>

#include <thread>

#include "common/sha256.hpp"
#include "common/time.hpp"

namespace lms::eventstore {
namespace {

constexpr const char* kCheckpoint = "relay";
constexpr std::int64_t kRelayLock = 7283002;

GlobalPosition loadCheckpoint(pg::Connection& c) {
    c.query("INSERT INTO lms_checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING", {kCheckpoint});
    const auto r = c.query("SELECT tx_id::text, position FROM lms_checkpoints WHERE name = $1", {kCheckpoint});
    return {r.u64(0, 0), r.i64(0, 1)};
}

}  // namespace

std::string topicFor(const std::string& prefix, const std::string& context) { return prefix + "." + context; }

std::string envelopeJson(const RecordedEvent& e, const std::string& context) {
    // data and metadata are already JSON text: spliced in, not re-parsed.
    std::string s =
        "{\"eventId\":\"" + e.eventId + "\",\"type\":" + nlohmann::json(e.type).dump() +
        ",\"schemaVersion\":" + std::to_string(e.schemaVersion) + ",\"streamId\":" + nlohmann::json(e.streamId).dump() +
        ",\"streamVersion\":" + std::to_string(e.version) + ",\"position\":\"" + e.global.toString() +
        "\",\"context\":" + nlohmann::json(context).dump() + ",\"recordedAt\":\"" + formatTimestampUs(e.recordedAtUs) +
        "\",\"hash\":\"" + toHex(e.hash) + "\",\"data\":" + e.data + ",\"metadata\":" + e.metadata + "}";
    return s;
}

Relay::Relay(pg::Connection& c, kafka::Producer& producer, std::string topicPrefix, domain::StreamCategories categories,
             int batchSize, int pollMs)
    : c_(c),
      producer_(producer),
      prefix_(std::move(topicPrefix)),
      categories_(std::move(categories)),
      batch_(batchSize),
      sub_(c, {}, pollMs) {}

GlobalPosition Relay::checkpoint() { return loadCheckpoint(c_); }

int Relay::publishOnce() {
    sub_.seek(loadCheckpoint(c_));
    const auto events = sub_.next(batch_);
    if (events.empty()) return 0;
    std::vector<kafka::OutgoingMessage> out;
    out.reserve(events.size());
    for (const auto& e : events) {
        const std::string context = categories_.contextOf(e.streamId);
        out.push_back({topicFor(prefix_, context),
                       e.streamId,
                       envelopeJson(e, context),
                       {{"lms.type", e.type}, {"lms.event_id", e.eventId}, {"lms.position", e.global.toString()}}});
    }
    const auto failed = producer_.sendAll(out, std::chrono::seconds(60));
    if (failed != 0) {
        spdlog::warn("relay: {} of {} events were not acknowledged; the batch will be sent again", failed, out.size());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        return 0;
    }
    const auto last = events.back().global;
    c_.query("UPDATE lms_checkpoints SET tx_id = $2::text::xid8, position = $3, updated_at = now() WHERE name = $1",
             {kCheckpoint, std::to_string(last.txId), std::to_string(last.position)});
    return static_cast<int>(events.size());
}

void Relay::run(const std::atomic<bool>& stop) {
    bool announced = false;
    while (!stop.load()) {
        const auto r = c_.queryOnce("SELECT pg_try_advisory_lock($1)", {std::to_string(kRelayLock)});
        if (r.boolean(0, 0)) break;
        if (!announced) spdlog::info("relay: another relay is publishing; standing by");
        announced = true;
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    spdlog::info("relay: publishing from {}", checkpoint().toString());
    while (!stop.load()) publishOnce();
}

}  // namespace lms::eventstore
