#pragma once
// Re-wrapping the data keys of lms_subject_keys in place: the keys stored in clear before
// migration 0006 (what `lms serve` does at start), and every live key under a new master key
// (`lms keys rotate-master`). Both work in batches, one transaction each, in subject order:
// safe to interrupt and to run twice or from two processes at once; a shredded key is never
// brought back (rows are locked and re-checked). docs/decisions/0012-key-wrapping.md.
#include <cstdint>

#include "eventstore/master_keys.hpp"
#include "eventstore/pg.hpp"

namespace lms::eventstore {

// Wraps every data key stored in clear under keys' current master key; returns how many.
std::int64_t wrapClearDataKeys(pg::Connection& c, const MasterKeys& keys, int batch = 1000);

struct Rotation {
    std::int64_t rewrapped = 0;       // clear, or under a previous master key, and now under the current one
    std::int64_t alreadyCurrent = 0;  // under the current master key before the run
};

// Re-wraps every live data key that is not under keys' current master key, unwrapping with a
// previous one. Throws KeyError, before changing anything, when a key is wrapped under a master
// key that keys does not hold.
Rotation rotateMasterKey(pg::Connection& c, const MasterKeys& keys, int batch = 1000);

}  // namespace lms::eventstore
