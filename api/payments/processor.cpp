#include "api/payments/processor.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "api/payments/commands.hpp"
#include "domain/payments/events.hpp"

namespace lms::payments {
namespace {

namespace dp = domain::payments;
using eventstore::GlobalPosition;

constexpr int kAttempts = 5;

GlobalPosition lockCheckpoint(pg::Connection& c) {
    c.query("INSERT INTO lms_checkpoints (name) VALUES ($1) ON CONFLICT DO NOTHING", {kProcessorCheckpoint});
    const auto r = c.query("SELECT tx_id::text, position FROM lms_checkpoints WHERE name = $1 FOR UPDATE",
                           {kProcessorCheckpoint});
    return {r.u64(0, 0), r.i64(0, 1)};
}

}  // namespace

Processor::Processor(pg::Connection& c, const Clock& clock, int batchSize, int pollMs)
    : c_(c), clock_(clock), batch_(batchSize), pollMs_(pollMs) {}

int Processor::step() {
    for (int attempt = 1;; ++attempt) {
        pg::Transaction tx(c_);
        const auto at = lockCheckpoint(c_);
        eventstore::EventStore store(c_);
        const auto events = store.readAll(at, batch_);
        if (events.empty()) return 0;
        bool retry = false;
        for (const auto& e : events) {
            if (e.type != dp::WebhookReceived::kType) continue;
            const domain::DomainEvent stored{e.type, e.schemaVersion, nlohmann::json::parse(e.data, nullptr, false)};
            const auto decoded = stored.data.is_object() ? dp::WebhookEvents::decode(stored) : std::nullopt;
            if (!decoded) continue;
            // The processor acts for the provider whose notice it applies; causation is the notice.
            const domain::Metadata meta{"payments-processor", e.eventId, e.eventId};
            if (auto refused = applyNotice(c_, clock_, e.streamId, std::get<dp::WebhookReceived>(*decoded), meta)) {
                retry = true;  // a concurrency conflict: the whole batch again, from the checkpoint
                break;
            }
        }
        if (retry) {
            if (attempt >= kAttempts) throw std::runtime_error("payments processor: conflicts kept recurring");
            continue;  // tx rolls back as it goes out of scope
        }
        c_.query("UPDATE lms_checkpoints SET tx_id = $2::text::xid8, position = $3, updated_at = now() WHERE name = $1",
                 {kProcessorCheckpoint, std::to_string(events.back().global.txId),
                  std::to_string(events.back().global.position)});
        tx.commit();
        return static_cast<int>(events.size());
    }
}

void Processor::run(const std::atomic<bool>& stop) {
    c_.listen("lms_events");
    while (!stop.load()) {
        if (step() == 0) c_.waitForNotification(pollMs_);
    }
}

}  // namespace lms::payments
