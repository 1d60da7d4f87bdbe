#pragma once
// Processes stored provider notices (WebhookReceived) in the global order, after the webhook was
// answered: each moves its payment and the payment's enrollment, in one transaction with the
// processor's checkpoint, so that a crash at any moment neither loses a notice nor applies one
// twice (a notice processed again changes nothing either: payments apply a provider event once,
// enrollments are idempotent). Several processes may run it: the checkpoint row's lock makes
// them take turns. A worker of `lms serve` (role workers).
#include <atomic>

#include "common/clock.hpp"
#include "eventstore/event_store.hpp"

namespace lms::payments {

inline constexpr const char* kProcessorCheckpoint = "processor:payments";

class Processor {
public:
    Processor(pg::Connection& c, const Clock& clock, int batchSize = 100, int pollMs = 500);
    // Processes at most one batch of the global order; returns the number of events read.
    int step();
    void run(const std::atomic<bool>& stop);

private:
    pg::Connection& c_;
    const Clock& clock_;
    int batch_;
    int pollMs_;
};

}  // namespace lms::payments
