#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "projections/projection.hpp"

namespace lms::projections {

std::string checkpointName(const Projection& p);

// Feeds a projection the global order, many events per transaction, storing the checkpoint in
// the same transaction as the read-model writes. Several runners of one projection may run:
// the checkpoint row's lock makes them take turns, never apply the same batch twice.
class Runner {
public:
    Runner(pg::Connection& c, Projection& p, int batchSize = 1000, int pollMs = 500);
    // Applies at most one batch; returns the number of events applied.
    int step();
    void run(const std::atomic<bool>& stop);
    eventstore::GlobalPosition checkpoint();

private:
    pg::Connection& c_;
    Projection& p_;
    int batch_;
    int pollMs_;
};

// Creates the live schema and the projection's tables when missing, and rebuilds the read model
// when its version changed since it was built. Returns true when it rebuilt.
bool ensure(pg::Connection& c, Projection& p);

// Applies events inside the caller's transaction (read-your-writes for the command's client);
// nothing while the read model has not been built yet.
void applyInline(pg::Connection& c, Projection& p, const std::vector<eventstore::RecordedEvent>& events);

struct ReplayProgress {
    std::int64_t done = 0;
    std::int64_t total = 0;
};

// Rebuilds a read model from the first event into fresh tables, then swaps them in atomically;
// the old tables keep serving until the swap. Returns the number of events replayed.
std::int64_t rebuild(pg::Connection& c, Projection& p, const std::function<void(const ReplayProgress&)>& progress = {},
                     int batchSize = 5000);

}  // namespace lms::projections
