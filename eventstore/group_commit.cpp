#include "eventstore/group_commit.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include "common/metrics.hpp"

namespace lms::eventstore {
namespace {

void appendJsonString(std::string& out, const std::string& s) { out += nlohmann::json(s).dump(); }

// One statement, one transaction: lms_append once per item, in the items' order (a nested loop
// over the array: each call sees what the calls before it wrote).
constexpr const char* kBatchSql =
    "SELECT x.n, a.status, a.version, a.last_position, a.last_tx_id::text "
    "FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(item, n) "
    "CROSS JOIN LATERAL lms_append(x.item->>'s', 0, x.item->'e') AS a";

}  // namespace

expected<Appended, AppendConflict> GroupCommit::startStream(pg::Connection& c, const std::string& streamId,
                                                            const std::vector<NewEvent>& events) {
    if (events.empty()) throw std::invalid_argument("append needs at least one event");
    if (PQtransactionStatus(c.raw()) != PQTRANS_IDLE)
        return EventStore(c).append(streamId, ExpectedVersion::noStream(), events);
    Pending mine;
    mine.streamId = &streamId;
    mine.events = &events;
    mine.json = eventsJson(events);

    std::unique_lock lock(m_);
    queue_.push_back(&mine);
    while (!mine.done) {
        if (flushing_ >= options_.inFlight || queue_.empty()) {
            cv_.wait(lock);
            continue;
        }
        // Lead: take what is queued, oldest first, within the limits (one item at least).
        std::vector<Pending*> batch;
        std::size_t bytes = 0;
        while (!queue_.empty() && batch.size() < options_.maxItems &&
               (batch.empty() || bytes + queue_.front()->json.size() <= options_.maxBytes)) {
            bytes += queue_.front()->json.size();
            batch.push_back(queue_.front());
            queue_.pop_front();
        }
        ++flushing_;
        lock.unlock();
        flush(c, batch);
        lock.lock();
        --flushing_;
        for (auto* p : batch) p->done = true;
        cv_.notify_all();
    }
    lock.unlock();
    if (mine.error) std::rethrow_exception(mine.error);
    return std::move(*mine.outcome);
}

std::size_t GroupCommit::queued() {
    std::lock_guard lock(m_);
    return queue_.size();
}

void GroupCommit::flush(pg::Connection& c, std::vector<Pending*>& batch) {
    auto& metrics = metrics::Registry::global();
    metrics.increment("lms_eventstore_group_commits_total", "Transactions committed by the group commit of new streams",
                      {});
    metrics.increment("lms_eventstore_group_commit_appends_total",
                      "Appends (new streams) committed by the group commit, alone or batched", {},
                      static_cast<double>(batch.size()));
    const auto alone = [&c](Pending& p) {
        try {
            p.outcome = EventStore(c).append(*p.streamId, ExpectedVersion::noStream(), *p.events);
        } catch (...) {
            p.error = std::current_exception();
        }
    };
    if (batch.size() == 1) {
        alone(*batch.front());
        return;
    }
    // Locks are taken in stream order, so that two batches never wait on each other in a cycle;
    // the sort is stable, so that one stream's appends keep their order.
    std::vector<Pending*> ordered(batch);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Pending* a, const Pending* b) { return *a->streamId < *b->streamId; });
    std::string items = "[";
    for (const auto* p : ordered) {
        if (items.size() > 1) items += ',';
        items += "{\"s\":";
        appendJsonString(items, *p->streamId);
        items += ",\"e\":" + p->json + "}";
    }
    items += ']';
    try {
        const auto started = std::chrono::steady_clock::now();
        const auto r = c.query(kBatchSql, {items});
        metrics.observe("lms_eventstore_append_seconds", "Time of one append (lms_append) as the client sees it", {},
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (r.rows() != static_cast<int>(ordered.size()))
            throw std::runtime_error("group commit: lms_append answered " + std::to_string(r.rows()) + " rows for " +
                                     std::to_string(ordered.size()) + " appends");
        bool wrote = false;
        for (int i = 0; i < r.rows(); ++i) {
            auto* p = ordered.at(static_cast<std::size_t>(r.i64(i, 0) - 1));
            p->outcome = appendOutcome(r, i, 1, *p->streamId);
            wrote = wrote || (*p->outcome && !(*p->outcome)->alreadyStored);
        }
        if (wrote) Notifier::afterCommit(c);
    } catch (...) {
        // The statement rolled back as a whole: each append on its own, so that what failed one
        // (a unique index raced by another transaction, say) fails only that one.
        metrics.increment("lms_eventstore_group_commit_retries_total",
                          "Batches of the group commit that failed as a whole and were appended one by one", {});
        for (auto* p : batch) {
            p->outcome.reset();
            alone(*p);
        }
    }
}

}  // namespace lms::eventstore
