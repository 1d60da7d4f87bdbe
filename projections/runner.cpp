#include "projections/runner.hpp"

#include <spdlog/spdlog.h>

#include <future>

#include "common/time.hpp"

namespace lms::projections {
namespace {

using eventstore::GlobalPosition;

std::string schemaFor(const Projection& p) { return "lms_rebuild_" + p.name(); }

void useSchema(pg::Connection& c, const std::string& schema) {
    c.exec("SET LOCAL search_path = " + c.quoteIdentifier(schema) + ", public");
}

// Locks the projection's checkpoint row (creating it if needed) and returns it with its version.
std::pair<GlobalPosition, int> lockCheckpoint(pg::Connection& c, const Projection& p) {
    c.query("INSERT INTO lms_checkpoints (name, version) VALUES ($1, -1) ON CONFLICT DO NOTHING", {checkpointName(p)});
    const auto r = c.query("SELECT tx_id::text, position, version FROM lms_checkpoints WHERE name = $1 FOR UPDATE",
                           {checkpointName(p)});
    return {{r.u64(0, 0), r.i64(0, 1)}, static_cast<int>(r.i64(0, 2))};
}

void saveCheckpoint(pg::Connection& c, const Projection& p, GlobalPosition at) {
    c.query("UPDATE lms_checkpoints SET tx_id = $2::text::xid8, position = $3, updated_at = now() WHERE name = $1",
            {checkpointName(p), std::to_string(at.txId), std::to_string(at.position)});
}

}  // namespace

std::string eventTime(std::int64_t at, const eventstore::RecordedEvent& e) {
    return formatTimestampUs(at != 0 ? at : e.recordedAtUs);
}

void Projection::applyBatch(pg::Connection& c, const std::vector<eventstore::RecordedEvent>& events) {
    for (const auto& e : events) apply(c, e);
}

std::string rfc3339(const std::string& column) {
    return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')";
}

std::string checkpointName(const Projection& p) { return "projection:" + p.name(); }

Runner::Runner(pg::Connection& c, Projection& p, int batchSize, int pollMs)
    : c_(c), p_(p), batch_(batchSize), pollMs_(pollMs) {}

int Runner::step() {
    pg::Transaction tx(c_);
    const auto [at, version] = lockCheckpoint(c_, p_);
    if (version != p_.version()) return 0;  // not built (yet) for this code: ensure() rebuilds it
    eventstore::EventStore store(c_);
    const auto events = store.readAll(at, batch_);
    if (events.empty()) return 0;
    useSchema(c_, kLiveSchema);
    p_.applyBatch(c_, events);
    saveCheckpoint(c_, p_, events.back().global);
    tx.commit();
    return static_cast<int>(events.size());
}

void Runner::run(const std::atomic<bool>& stop) {
    c_.listen("lms_events");
    while (!stop.load()) {
        if (step() == 0) c_.waitForNotification(pollMs_);
    }
}

GlobalPosition Runner::checkpoint() {
    const auto r = c_.query("SELECT tx_id::text, position FROM lms_checkpoints WHERE name = $1", {checkpointName(p_)});
    if (r.rows() == 0) return {};
    return {r.u64(0, 0), r.i64(0, 1)};
}

void applyInline(pg::Connection& c, Projection& p, const std::vector<eventstore::RecordedEvent>& events) {
    // The read model may not exist yet (a database only migrated, `lms admin create` before the
    // first `lms serve`): the runner builds it from the events later.
    const auto tables = p.tables();
    if (!tables.empty() &&
        !c.query("SELECT to_regclass($1) IS NOT NULL", {std::string(kLiveSchema) + "." + tables.front()}).boolean(0, 0)) {
        return;
    }
    c.exec("SAVEPOINT lms_inline");
    useSchema(c, kLiveSchema);
    p.applyBatch(c, events);
    c.exec("RELEASE SAVEPOINT lms_inline");
}

bool ensure(pg::Connection& c, Projection& p) {
    c.exec(std::string("CREATE SCHEMA IF NOT EXISTS ") + kLiveSchema);
    const auto r = c.query("SELECT version FROM lms_checkpoints WHERE name = $1", {checkpointName(p)});
    bool tablesPresent = true;
    for (const auto& t : p.tables()) {
        const auto q = c.query("SELECT to_regclass($1) IS NOT NULL", {std::string(kLiveSchema) + "." + t});
        tablesPresent = tablesPresent && q.boolean(0, 0);
    }
    if (r.rows() == 1 && r.i64(0, 0) == p.version() && tablesPresent) return false;
    spdlog::info("projection {}: building read model version {}", p.name(), p.version());
    rebuild(c, p);
    return true;
}

std::int64_t rebuild(pg::Connection& c, Projection& p, const std::function<void(const ReplayProgress&)>& progress,
                     int batchSize) {
    const std::string schema = schemaFor(p);
    const std::string q = c.quoteIdentifier(schema);
    c.exec(std::string("CREATE SCHEMA IF NOT EXISTS ") + kLiveSchema);
    c.exec("DROP SCHEMA IF EXISTS " + q + " CASCADE; CREATE SCHEMA " + q);
    {
        pg::Transaction tx(c);
        useSchema(c, schema);
        c.exec(p.ddl());
        tx.commit();
    }
    ReplayProgress prog;
    prog.total = c.query("SELECT count(*) FROM lms_events").i64(0, 0);
    eventstore::EventStore store(c);
    GlobalPosition at{};
    // Catch up in many short transactions: a long one would hold back every reader of the
    // global order (they read only below the oldest running transaction). The next batch is read
    // on a second connection while the current one is applied, so that the database and this
    // process work at the same time (+50% events/s measured, bench/README.md).
    {
        pg::Connection readerConnection(c.url());
        eventstore::EventStore reader(readerConnection);
        auto events = reader.readAll(at, batchSize);
        while (!events.empty()) {
            at = events.back().global;
            const bool full = static_cast<int>(events.size()) == batchSize;
            std::future<std::vector<eventstore::RecordedEvent>> next;
            if (full)
                next = std::async(std::launch::async,
                                  [&reader, from = at, batchSize] { return reader.readAll(from, batchSize); });
            {
                pg::Transaction tx(c);
                useSchema(c, schema);
                p.applyBatch(c, events);
                tx.commit();
            }
            prog.done += static_cast<std::int64_t>(events.size());
            if (progress) progress(prog);
            if (!full) break;
            events = next.get();
        }
    }
    // Fresh tables have no statistics until autovacuum's first ANALYZE (a minute or more): the
    // planner would take them for empty, and a query over 10,000 courses ran at 15/s instead of
    // thousands (bench/README.md). Analysed before they serve.
    for (const auto& t : p.tables()) c.exec("ANALYZE " + q + "." + c.quoteIdentifier(t));
    // The swap: stop the live runner (the checkpoint row's lock), apply what arrived meanwhile,
    // move the old tables out and the new ones in, all in one transaction.
    pg::Transaction tx(c);
    lockCheckpoint(c, p);
    for (;;) {
        const auto events = store.readAll(at, batchSize);
        if (events.empty()) break;
        useSchema(c, schema);
        p.applyBatch(c, events);
        at = events.back().global;
        prog.done += static_cast<std::int64_t>(events.size());
    }
    const std::string retired = c.quoteIdentifier("lms_retired_" + p.name());
    c.exec("DROP SCHEMA IF EXISTS " + retired + " CASCADE; CREATE SCHEMA " + retired);
    for (const auto& t : p.tables()) {
        const auto exists =
            c.query("SELECT to_regclass($1) IS NOT NULL", {std::string(kLiveSchema) + "." + t}).boolean(0, 0);
        if (exists)
            c.exec(std::string("ALTER TABLE ") + kLiveSchema + "." + c.quoteIdentifier(t) + " SET SCHEMA " + retired);
        c.exec("ALTER TABLE " + q + "." + c.quoteIdentifier(t) + " SET SCHEMA " + kLiveSchema);
    }
    c.query(
        "UPDATE lms_checkpoints SET tx_id = $2::text::xid8, position = $3, version = $4, updated_at = now() "
        "WHERE name = $1",
        {checkpointName(p), std::to_string(at.txId), std::to_string(at.position), std::to_string(p.version())});
    c.exec("DROP SCHEMA " + retired + " CASCADE; DROP SCHEMA " + q + " CASCADE");
    tx.commit();
    if (progress) progress(prog);
    return prog.done;
}

}  // namespace lms::projections
