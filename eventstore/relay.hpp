#pragma once
// The Kafka relay (transactional outbox): reads the store in its global order, produces each
// event to `<prefix>.<context>` keyed by stream id, and advances its checkpoint only after the
// broker has acknowledged every event of the batch. Delivery is at least once: after a crash the
// last unacknowledged batch is sent again, and consumers deduplicate by event id.
#include <atomic>
#include <string>

#include "domain/core/categories.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/kafka.hpp"

namespace lms::eventstore {

// The JSON envelope published for an event of a context (documented in docs/events.md).
std::string envelopeJson(const RecordedEvent& e, const std::string& context);
// `<prefix>.<context>`: the topic a context's events go to.
std::string topicFor(const std::string& prefix, const std::string& context);

class Relay {
public:
    // categories: which context (and so which topic) each stream category belongs to.
    Relay(pg::Connection& c, kafka::Producer& producer, std::string topicPrefix, domain::StreamCategories categories,
          int batchSize, int pollMs);
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
    domain::StreamCategories categories_;
    int batch_;
    Subscription sub_;
};

}  // namespace lms::eventstore
