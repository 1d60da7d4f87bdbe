#pragma once
// A projection turns events into a read model. It owns its tables, written with unqualified
// names: the runner points search_path at the live schema (lms_rm) or at a rebuild schema, so
// that one code path serves live updates, inline (read-your-writes) updates and rebuilds.
// apply must be idempotent: an event can reach it twice (inline, then from the runner).
#include <cstdint>
#include <string>
#include <vector>

#include "eventstore/event_store.hpp"

namespace lms::projections {

inline constexpr const char* kLiveSchema = "lms_rm";

class Projection {
public:
    virtual ~Projection() = default;
    virtual std::string name() const = 0;
    // Bump when the tables or the meaning of apply change: the next start rebuilds the read model.
    virtual int version() const = 0;
    virtual std::vector<std::string> tables() const = 0;
    // Creates the tables (unqualified names) in the current search_path's first schema.
    virtual std::string ddl() const = 0;
    // Applies events in order. The default applies them one by one.
    virtual void applyBatch(pg::Connection& c, const std::vector<eventstore::RecordedEvent>& events);
    virtual void apply(pg::Connection& c, const eventstore::RecordedEvent& e) = 0;
};

// When an event says it happened (its `at`, in microseconds), else when it was recorded, as the
// timestamptz text read models store.
std::string eventTime(std::int64_t at, const eventstore::RecordedEvent& e);

// A SQL expression reading a timestamptz column as the API shows times (RFC 3339, UTC, µs).
std::string rfc3339(const std::string& column);

}  // namespace lms::projections
