#pragma once
// The Kafka relay (transactional outbox): reads the store in its global order, produces each
// event to `<prefix>.<context>` keyed by stream id, and advances its checkpoint only after the
// broker has acknowledged every event of the batch. Delivery is at least once: after a crash the
// last unacknowledged batch is sent again, and consumers deduplicate by event id.
#include <atomic>
#include <string>

#include "eventstore/event_store.hpp"
#include "eventstore/kafka.hpp"

namespace lms::eventstore {

// The JSON envelope published for an event (documented in docs/events.md).
std::string envelopeJson(const RecordedEvent& e);
std::string topicFor(const std::string& prefix, const std::string& streamId);

class Relay {
public:
    Relay(pg::Connection& c, kafka::Producer& producer, std::string topicPrefix, int batchSize, int pollMs);
    // Publishes one batch (waiting up to one poll interval for events); returns how many were
    // acknowledged and checkpointed.
    int publishOnce();
    // Publishes until stop is set. Only one relay publishes at a time: others wait on an advisory lock.
    void run(const std::atomic<bool>& stop);
    GlobalPosition checkpoint();

private:
    pg::Connection& c_;
    kafka::Producer& producer_;
    std::string prefix_;
    int batch_;
    Subscription sub_;
};

}  // namespace lms::eventstore
