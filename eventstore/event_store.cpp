#include "eventstore/event_store.hpp"

#include <charconv>
#include <chrono>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "common/metrics.hpp"

namespace lms::eventstore {
namespace {

void appendJsonString(std::string& out, const std::string& s) { out += nlohmann::json(s).dump(); }

}  // namespace

const char* const kEventColumns =
    // Aliased: an output column named tx_id would make "ORDER BY tx_id" sort by its text.
    "tx_id::text AS tx_text, position, stream_id, stream_version, event_id::text AS event_text, event_type, "
    "schema_version, data::text AS data_text, metadata::text AS metadata_text, "
    "(extract(epoch FROM recorded_at) * 1000000)::bigint AS recorded_us, hash";

std::vector<RecordedEvent> recordedEvents(const pg::Result& r) {
    std::vector<RecordedEvent> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        RecordedEvent e;
        e.global = {r.u64(i, 0), r.i64(i, 1)};
        e.streamId = r.str(i, 2);
        e.version = r.i64(i, 3);
        e.eventId = r.str(i, 4);
        e.type = r.str(i, 5);
        e.schemaVersion = static_cast<int>(r.i64(i, 6));
        e.data = r.str(i, 7);
        e.metadata = r.str(i, 8);
        e.recordedAtUs = r.i64(i, 9);
        e.hash = r.bytea(i, 10);
        out.push_back(std::move(e));
    }
    return out;
}

std::string GlobalPosition::toString() const { return std::to_string(txId) + "/" + std::to_string(position); }

GlobalPosition GlobalPosition::parse(const std::string& s) {
    GlobalPosition p;
    const auto slash = s.find('/');
    if (slash == std::string::npos) throw std::invalid_argument("a position is written txId/position");
    auto [a, ea] = std::from_chars(s.data(), s.data() + slash, p.txId);
    auto [b, eb] = std::from_chars(s.data() + slash + 1, s.data() + s.size(), p.position);
    if (ea != std::errc() || eb != std::errc() || a != s.data() + slash || b != s.data() + s.size()) {
        throw std::invalid_argument("a position is written txId/position");
    }
    return p;
}

NewEvent NewEvent::from(const domain::DomainEvent& e, const domain::Metadata& m, std::string eventId) {
    return NewEvent{std::move(eventId), e.type, e.schemaVersion, e.data.dump(), m.toJson().dump()};
}

std::string eventsJson(const std::vector<NewEvent>& events) {
    std::string payload = "[";
    for (const auto& e : events) {
        if (payload.size() > 1) payload += ',';
        payload += "{\"id\":";
        appendJsonString(payload, e.eventId);
        payload += ",\"type\":";
        appendJsonString(payload, e.type);
        payload += ",\"schemaVersion\":" + std::to_string(e.schemaVersion) + ",\"data\":" + e.data +
                   ",\"metadata\":" + e.metadata + "}";
    }
    payload += ']';
    return payload;
}

expected<Appended, AppendConflict> appendOutcome(const pg::Result& r, int row, int first, const std::string& streamId) {
    const auto status = r.i64(row, first);
    const domain::StreamVersion version(r.isNull(row, first + 1) ? 0 : r.i64(row, first + 1));
    switch (status) {
        case 0: return Appended{version, GlobalPosition{r.u64(row, first + 3), r.i64(row, first + 2)}, false};
        case 1: return Appended{version, GlobalPosition{}, true};
        case 2: return unexpected(AppendConflict{AppendConflict::Kind::WrongExpectedVersion, streamId, version});
        default: return unexpected(AppendConflict{AppendConflict::Kind::EventIdInOtherStream, streamId, version});
    }
}

expected<Appended, AppendConflict> EventStore::append(const std::string& streamId, ExpectedVersion expectedVersion,
                                                      const std::vector<NewEvent>& events) {
    if (events.empty()) throw std::invalid_argument("append needs at least one event");
    const std::string payload = eventsJson(events);
    const std::string sql = "SELECT status, version, last_position, last_tx_id::text FROM lms_append($1, $2, $3)";
    const pg::Params params{streamId, std::to_string(expectedVersion.raw()), payload};
    for (int attempt = 0;; ++attempt) {
        try {
            const auto started = std::chrono::steady_clock::now();
            auto r = c_.query(sql, params);
            metrics::Registry::global().observe(
                "lms_eventstore_append_seconds", "Time of one append (lms_append) as the client sees it", {},
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            auto outcome = appendOutcome(r, 0, 0, streamId);
            if (outcome && !outcome->alreadyStored) Notifier::afterCommit(c_);
            return outcome;
        } catch (const pg::Error& e) {
            // Two appends of the same event ids raced: the loser hit the unique index. Asked again,
            // the store answers "already stored" (or a conflict), as a sequential retry would. Inside a
            // caller's transaction the error has aborted it: the caller's command loop retries instead.
            const bool autocommit = PQtransactionStatus(c_.raw()) == PQTRANS_IDLE;
            if (e.sqlstate() != pg::kUniqueViolation || attempt > 0 || !autocommit) throw;
        }
    }
}

std::vector<RecordedEvent> EventStore::readStream(const std::string& streamId, std::int64_t fromVersion, int limit) {
    const auto r = c_.query(std::string("SELECT ") + kEventColumns +
                                " FROM lms_events WHERE stream_id = $1 AND stream_version >= $2 "
                                "ORDER BY stream_version LIMIT $3",
                            {streamId, std::to_string(fromVersion), std::to_string(limit)});
    return recordedEvents(r);
}

std::vector<RecordedEvent> EventStore::readAll(GlobalPosition after, int limit) {
    const auto r = c_.query(std::string("SELECT ") + kEventColumns +
                                " FROM lms_events WHERE (tx_id, position) > ($1::text::xid8, $2::bigint) "
                                "AND tx_id < pg_snapshot_xmin(pg_current_snapshot()) "
                                "ORDER BY lms_events.tx_id, lms_events.position LIMIT $3",
                            {std::to_string(after.txId), std::to_string(after.position), std::to_string(limit)});
    return recordedEvents(r);
}

std::vector<RecordedEvent> EventStore::readAllNaive(std::int64_t afterPosition, int limit) {
    const auto r = c_.query(std::string("SELECT ") + kEventColumns +
                                " FROM lms_events WHERE position > $1 ORDER BY position LIMIT $2",
                            {std::to_string(afterPosition), std::to_string(limit)});
    return recordedEvents(r);
}

GlobalPosition EventStore::head() {
    const auto r = c_.query(
        "SELECT tx_id::text AS tx_text, position FROM lms_events "
        "WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot()) "
        "ORDER BY lms_events.tx_id DESC, lms_events.position DESC LIMIT 1");
    if (r.rows() == 0) return {};
    return {r.u64(0, 0), r.i64(0, 1)};
}

namespace {
std::atomic<Notifier*> gInstalled{nullptr};
}

Notifier::Notifier(std::string url, std::chrono::milliseconds interval)
    : url_(std::move(url)), interval_(interval), thread_([this] { run(); }) {}

Notifier::~Notifier() {
    Notifier* self = this;
    gInstalled.compare_exchange_strong(self, nullptr);
    {
        std::lock_guard lock(m_);
        stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
}

void Notifier::install() { gInstalled.store(this); }
Notifier* Notifier::installed() { return gInstalled.load(); }

void Notifier::wake() {
    {
        std::lock_guard lock(m_);
        pending_ = true;
    }
    cv_.notify_one();
}

void Notifier::afterCommit(pg::Connection& c) {
    if (Notifier* n = installed()) {
        c.afterCommit([n] { n->wake(); });
        return;
    }
    c.afterCommit([&c] {
        try {
            // A wake-up needs no durability: its commit need not wait for a WAL flush.
            c.exec("BEGIN; SET LOCAL synchronous_commit = off; NOTIFY lms_events; COMMIT");
        } catch (const pg::Error& e) {  // subscribers poll: a lost wake-up only delays them
            spdlog::debug("notify after append failed: {}", e.what());
        }
    });
}

void Notifier::run() {
    std::unique_ptr<pg::Connection> c;
    std::unique_lock lock(m_);
    for (;;) {
        cv_.wait(lock, [this] { return pending_ || stop_; });
        if (stop_) return;
        pending_ = false;
        lock.unlock();
        try {
            if (!c || !c->ok()) {
                c = std::make_unique<pg::Connection>(url_);
                // A wake-up needs no durability: its commit need not wait for a WAL flush.
                c->exec("SET synchronous_commit = off");
            }
            c->exec("NOTIFY lms_events");
        } catch (const std::exception& e) {
            c.reset();
            spdlog::warn("event notifier: {} (subscribers fall back to polling)", e.what());
        }
        // Wake-ups that arrive meanwhile are served by one NOTIFY at the end of the interval.
        std::this_thread::sleep_for(interval_);
        lock.lock();
    }
}

Subscription::Subscription(pg::Connection& c, GlobalPosition from, int pollMs) : store_(c), at_(from), pollMs_(pollMs) {
    c.listen("lms_events");
}

std::vector<RecordedEvent> Subscription::next(int limit) {
    auto batch = store_.readAll(at_, limit);
    if (batch.empty()) {
        store_.connection().waitForNotification(pollMs_);
        batch = store_.readAll(at_, limit);
    }
    if (!batch.empty()) at_ = batch.back().global;
    return batch;
}

}  // namespace lms::eventstore
