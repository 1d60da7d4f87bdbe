#include "eventstore/audit.hpp"

#include <iterator>
#include <string_view>

#include "common/sha256.hpp"

namespace lms::eventstore {

std::string canonicalEvent(const RecordedEvent& e) {
    // Its fields, one per line, in this order (lms_event_canonical in the migrations is the same).
    const std::string version = std::to_string(e.version), schema = std::to_string(e.schemaVersion),
                      recordedAt = std::to_string(e.recordedAtUs);
    const std::string_view fields[] = {e.streamId, version, e.eventId, e.type, schema, e.data, e.metadata, recordedAt};
    std::string s;
    s.reserve(e.data.size() + e.metadata.size() + 128);
    for (std::size_t i = 0; i < std::size(fields); ++i) {
        if (i > 0) s += '\n';
        s += fields[i];
    }
    return s;
}

namespace {

struct StreamHead {
    std::int64_t version = 0;
    std::string lastHash;
};

}  // namespace

VerifyReport verifyChains(pg::Connection& c, const std::function<void(std::int64_t)>& progress) {
    VerifyReport report;
    // A repeatable-read snapshot: the chains and the stream heads are read as of one moment.
    pg::Transaction tx(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    std::string stream;
    std::int64_t version = 0;
    std::string prevHash;
    std::int64_t expectedNext = 1;
    bool streamFlagged = false;

    auto closeStream = [&]() {
        if (stream.empty()) return;
        ++report.streams;
        if (streamFlagged) return;
        const auto h = c.query("SELECT version, last_hash FROM lms_streams WHERE stream_id = $1", {stream});
        if (h.rows() == 0 || h.i64(0, 0) != expectedNext - 1 || h.bytea(0, 1) != prevHash) {
            report.findings.push_back({stream, expectedNext - 1, "",
                                       "the stream head (lms_streams) does not match the stream's last event: "
                                       "events were removed or added behind the store's back"});
        }
    };

    for (;;) {
        const auto r = c.query(std::string("SELECT ") + kEventColumns +
                                   " FROM lms_events WHERE (stream_id, stream_version) > ($1, $2) "
                                   "ORDER BY stream_id, stream_version LIMIT 5000",
                               {stream, std::to_string(version)});
        if (r.rows() == 0) break;
        for (auto& e : recordedEvents(r)) {
            if (e.streamId != stream) {
                closeStream();
                stream = e.streamId;
                prevHash.clear();
                expectedNext = 1;
                streamFlagged = false;
            }
            version = e.version;
            ++report.events;
            if (streamFlagged) continue;
            if (e.version != expectedNext) {
                report.findings.push_back(
                    {e.streamId, expectedNext, "", "version " + std::to_string(expectedNext) + " is missing"});
                streamFlagged = true;
                continue;
            }
            const std::string computed = sha256(prevHash + canonicalEvent(e));
            if (computed != e.hash) {
                report.findings.push_back({e.streamId, e.version, e.eventId,
                                           "stored hash does not match the event's content or its predecessor"});
                streamFlagged = true;
                continue;
            }
            prevHash = e.hash;
            ++expectedNext;
        }
        if (progress) progress(report.events);
    }
    closeStream();
    // Stream heads with no events at all mean every event of the stream was deleted.
    const auto orphans = c.query(
        "SELECT s.stream_id, s.version FROM lms_streams s WHERE s.version > 0 AND NOT EXISTS "
        "(SELECT 1 FROM lms_events e WHERE e.stream_id = s.stream_id) ORDER BY s.stream_id LIMIT 1000");
    for (int i = 0; i < orphans.rows(); ++i) {
        report.findings.push_back({orphans.str(i, 0), 1, "", "every event of the stream is missing"});
    }
    tx.commit();
    return report;
}

}  // namespace lms::eventstore
