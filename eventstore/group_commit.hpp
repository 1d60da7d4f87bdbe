#pragma once
// Appends that start new streams, made by many threads at once, share one transaction and so one
// WAL flush (group commit; docs/decisions/0019-group-commit-of-new-streams.md).
//
// A caller hands its append over and waits. When fewer than `inFlight` batches are committing,
// the caller becomes the leader: it takes what is queued (its own append among it, up to
// `maxItems` and `maxBytes`) and commits it on its own connection in one statement that calls
// lms_append once per stream. A lone caller therefore waits for nothing: it finds no batch in
// flight and commits its append alone, exactly as EventStore::append would. Under load the
// appends that arrive while a batch is being flushed make the next batch.
//
// Each append keeps its own outcome: a stream that exists already is that append's conflict, an
// event id that is stored is that append's "already stored"; the others commit. If the batch's
// statement fails as a whole (a unique index raced by another transaction, a lost connection),
// each append of it is tried again alone, so that one append's error is never another's.
//
// Only new streams (ExpectedVersion::noStream) go through here: a new stream cannot be appended
// to by another transaction between the batch's id and its commit, so the batch cannot commit a
// stream's versions out of the global order. Appends to existing streams keep their own
// transaction (the command loop).
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "eventstore/event_store.hpp"

namespace lms::eventstore {

class GroupCommit {
public:
    struct Options {
        std::size_t maxItems = 64;        // appends per batch
        std::size_t maxBytes = 1u << 20;  // of event JSON per batch
        int inFlight = 2;                 // batches committing at once
    };
    GroupCommit() : GroupCommit(Options{}) {}
    explicit GroupCommit(Options options) : options_(options) {}
    GroupCommit(const GroupCommit&) = delete;
    GroupCommit& operator=(const GroupCommit&) = delete;

    // Starts `streamId` with `events` (as append(streamId, noStream, events) would), committed by
    // the time it returns, alone or with others' appends. `c` is the caller's connection, idle (a
    // caller inside a transaction appends in it, alone). Throws what the append alone would throw.
    expected<Appended, AppendConflict> startStream(pg::Connection& c, const std::string& streamId,
                                                   const std::vector<NewEvent>& events);

    // Appends waiting for a leader (what a test waits on to know a batch has formed).
    std::size_t queued();

private:
    struct Pending {
        const std::string* streamId = nullptr;
        const std::vector<NewEvent>* events = nullptr;
        std::string json;  // the events as lms_append takes them
        bool done = false;
        std::optional<expected<Appended, AppendConflict>> outcome;
        std::exception_ptr error;
    };
    // Commits a batch on c and fills in each item's outcome (or error); never throws.
    static void flush(pg::Connection& c, std::vector<Pending*>& batch);

    Options options_;
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<Pending*> queue_;
    int flushing_ = 0;
};

}  // namespace lms::eventstore
