#pragma once
// Tamper evidence. Each event's hash is sha256(previous hash in its stream || canonical event);
// verifying recomputes every chain outside the database and reports, per stream, the first
// event whose stored bytes no longer match, a version that went missing, or a stream head
// (lms_streams) that disagrees with its last event.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eventstore/event_store.hpp"

namespace lms::eventstore {

// The bytes an event's hash covers; must match lms_event_canonical() in the migrations.
std::string canonicalEvent(const RecordedEvent& e);

struct TamperFinding {
    std::string streamId;
    std::int64_t version = 0;
    std::string eventId;
    std::string reason;
};

struct VerifyReport {
    std::int64_t streams = 0;
    std::int64_t events = 0;
    std::vector<TamperFinding> findings;  // at most one per stream: the first altered event
};

VerifyReport verifyChains(pg::Connection& c, const std::function<void(std::int64_t events)>& progress = {});

}  // namespace lms::eventstore
