#pragma once
// The PostgreSQL event store: atomic appends with optimistic concurrency, per-stream reads and a
// gapless read of the global order. Appends run in whatever transaction the connection is in,
// so that reservation rows and inline projections commit (or roll back) with the events.
#include <atomic>
#include <chrono>
#include <climits>
#include <compare>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/expected.hpp"
#include "domain/core/event.hpp"
#include "eventstore/pg.hpp"

namespace lms::eventstore {

// A place in the global order: the writing transaction's id, then the event's position.
// Every event that sorts before a handed-out GlobalPosition has already been handed out.
struct GlobalPosition {
    std::uint64_t txId = 0;
    std::int64_t position = 0;
    auto operator<=>(const GlobalPosition&) const = default;
    std::string toString() const;                       // "txId/position"
    static GlobalPosition parse(const std::string& s);  // throws std::invalid_argument
};

class ExpectedVersion {
public:
    static ExpectedVersion any() { return ExpectedVersion(-1); }
    static ExpectedVersion noStream() { return ExpectedVersion(0); }
    static ExpectedVersion exact(domain::StreamVersion v) { return ExpectedVersion(v.value()); }
    std::int64_t raw() const { return v_; }

private:
    explicit ExpectedVersion(std::int64_t v) : v_(v) {}
    std::int64_t v_;
};

struct NewEvent {
    std::string eventId;  // a UUID; appending an id that is already stored is an idempotent no-op
    std::string type;
    int schemaVersion = 1;
    std::string data = "{}";      // JSON object text
    std::string metadata = "{}";  // JSON object text
    static NewEvent from(const domain::DomainEvent& e, const domain::Metadata& m, std::string eventId);
};

struct RecordedEvent {
    GlobalPosition global;
    std::string streamId;
    std::int64_t version = 0;
    std::string eventId;
    std::string type;
    int schemaVersion = 1;
    std::string data;
    std::string metadata;
    std::int64_t recordedAtUs = 0;  // microseconds since the Unix epoch
    std::string hash;               // raw sha256 bytes
};

struct Appended {
    domain::StreamVersion version;  // the stream's version after the append
    GlobalPosition last;            // of the last event written ({0,0} when already stored)
    bool alreadyStored = false;     // every event id was stored before: nothing was written
};

struct AppendConflict {
    enum class Kind { WrongExpectedVersion, EventIdInOtherStream };
    Kind kind = Kind::WrongExpectedVersion;
    std::string streamId;
    domain::StreamVersion actual;  // the stream's current version
};

// The events as lms_append takes them (a JSON array of {id, type, schemaVersion, data, metadata}).
std::string eventsJson(const std::vector<NewEvent>& events);
// lms_append's answer (status, version, last_position, last_tx_id from column `first` of `row` on).
expected<Appended, AppendConflict> appendOutcome(const pg::Result& r, int row, int first, const std::string& streamId);

// The columns every reader of lms_events selects, in the order recordedEvents() reads them.
extern const char* const kEventColumns;
std::vector<RecordedEvent> recordedEvents(const pg::Result& rows);

class EventStore {
public:
    explicit EventStore(pg::Connection& c) : c_(c) {}

    expected<Appended, AppendConflict> append(const std::string& streamId, ExpectedVersion expected,
                                              const std::vector<NewEvent>& events);
    std::vector<RecordedEvent> readStream(const std::string& streamId, std::int64_t fromVersion = 1,
                                          int limit = INT_MAX);
    // Events after `after` in the global order, at most `limit`, never skipping one that a
    // transaction still running could commit before them.
    std::vector<RecordedEvent> readAll(GlobalPosition after, int limit);
    // The naive `position > last` reader. It skips events under concurrent writers; it exists
    // only so that the gapless test can prove it would catch a reader like it.
    std::vector<RecordedEvent> readAllNaive(std::int64_t afterPosition, int limit);
    // The position of the last event a reader can be handed now.
    GlobalPosition head();

    pg::Connection& connection() { return c_; }

private:
    pg::Connection& c_;
};

// Wakes the subscribers of every process (LISTEN lms_events) once appended events are committed.
// The NOTIFY is not sent inside the appending transaction: PostgreSQL holds a cluster-wide lock
// from a notifying transaction's commit until its commit record is flushed, which made appends
// commit one at a time (docs/decisions/0008-append-throughput.md). EventStore::append asks for
// a wake-up after its commit; the installed Notifier sends at most one NOTIFY per interval from
// a thread and connection of its own. A process without one (a CLI command, a test) sends the
// NOTIFY itself after the commit. Subscribers also poll, so a lost wake-up only delays them.
class Notifier {
public:
    explicit Notifier(std::string url, std::chrono::milliseconds interval = std::chrono::milliseconds(5));
    ~Notifier();
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    void wake();  // never blocks on the database
    // Makes this the process's notifier (until it is destroyed).
    void install();
    static Notifier* installed();
    // Asks for a wake-up once c's current work commits (what EventStore::append calls).
    static void afterCommit(pg::Connection& c);

private:
    void run();
    std::string url_;
    std::chrono::milliseconds interval_;
    std::mutex m_;
    std::condition_variable cv_;
    bool pending_ = false;
    bool stop_ = false;
    std::thread thread_;
};

// Reads the global order from a checkpoint on: returns what is there, or waits for a NOTIFY from
// an append (falling back to polling every pollMs) when nothing is.
class Subscription {
public:
    Subscription(pg::Connection& c, GlobalPosition from, int pollMs);
    // Returns up to `limit` events, waiting at most one poll interval when there are none.
    std::vector<RecordedEvent> next(int limit);
    GlobalPosition position() const { return at_; }
    void seek(GlobalPosition p) { at_ = p; }

private:
    EventStore store_;
    GlobalPosition at_;
    int pollMs_;
};

// Applies every pending migration (eventstore/migrations/*.sql, embedded at build time) under an
// advisory lock; returns how many were applied. A migration edited after it was applied is an error.
int migrate(pg::Connection& c);

}  // namespace lms::eventstore
