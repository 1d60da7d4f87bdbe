#include "projections/stream_activity.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "common/time.hpp"

namespace lms::projections {

std::string StreamActivity::ddl() const {
    return R"sql(
CREATE TABLE stream_activity (
    stream_id        text PRIMARY KEY,
    context          text NOT NULL,
    version          bigint NOT NULL,
    last_event_type  text NOT NULL,
    last_actor_id    text,
    started_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX stream_activity_context ON stream_activity (context, updated_at DESC);
)sql";
}

void StreamActivity::applyBatch(pg::Connection& c, const std::vector<eventstore::RecordedEvent>& events) {
    // Collapse the batch to one row per stream (an upsert may touch a row only once per statement).
    struct Row {
        const eventstore::RecordedEvent* first = nullptr;
        const eventstore::RecordedEvent* last = nullptr;
    };
    std::map<std::string_view, Row> rows;
    for (const auto& e : events) {
        auto& r = rows[e.streamId];
        if (r.first == nullptr || e.version < r.first->version) r.first = &e;
        if (r.last == nullptr || e.version > r.last->version) r.last = &e;
    }
    nlohmann::json batch = nlohmann::json::array();
    for (const auto& [id, r] : rows) {
        const auto meta = nlohmann::json::parse(r.last->metadata, nullptr, false);
        batch.push_back(
            {{"stream_id", r.last->streamId},
             {"context", categories_.contextOf(r.last->streamId)},
             {"version", r.last->version},
             {"last_event_type", r.last->type},
             {"last_actor_id", meta.is_object() && meta.contains("actorId") ? meta["actorId"] : nlohmann::json()},
             // started_at is known only from version 1; a later first event leaves it as stored.
             {"started_at", formatTimestampUs(r.first->recordedAtUs)},
             {"updated_at", formatTimestampUs(r.last->recordedAtUs)}});
    }
    c.query(R"sql(
INSERT INTO stream_activity AS s (stream_id, context, version, last_event_type, last_actor_id, started_at, updated_at)
SELECT x.stream_id, x.context, x.version, x.last_event_type, x.last_actor_id, x.started_at, x.updated_at
  FROM jsonb_to_recordset($1::jsonb) AS x(stream_id text, context text, version bigint, last_event_type text,
                                          last_actor_id text, started_at timestamptz,
                                          updated_at timestamptz)
ON CONFLICT (stream_id) DO UPDATE
   SET version = EXCLUDED.version, last_event_type = EXCLUDED.last_event_type,
       last_actor_id = EXCLUDED.last_actor_id, updated_at = EXCLUDED.updated_at
 WHERE s.version < EXCLUDED.version)sql",
            {batch.dump()});
}

}  // namespace lms::projections
