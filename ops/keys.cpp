#include <iostream>

#include "eventstore/event_store.hpp"
#include "eventstore/key_rotation.hpp"
#include "ops/commands.hpp"

namespace lms::ops {
namespace {

constexpr const char* kHelp = R"(usage: lms keys rotate-master

The per-subject data keys (crypto-shredding) are stored wrapped by a master key.

  rotate-master   re-wraps every live data key under LMS_MASTER_KEY, unwrapping with it or with
                  any key in LMS_MASTER_KEY_PREVIOUS (keys stored in clear by older versions are
                  wrapped too); prints how many were re-wrapped and how many were already
                  current. Works in batches of 1000, one transaction each: safe to interrupt and
                  to run again. Exit status 1, with nothing changed, when a key is wrapped under
                  a master key it was not given.

Rotating without downtime:
  1. start every process with the new LMS_MASTER_KEY and LMS_MASTER_KEY_PREVIOUS=<old key>
  2. lms keys rotate-master
  3. remove LMS_MASTER_KEY_PREVIOUS (and destroy the old key) and restart
)";

}  // namespace

int keys(const Config& config, const Args& args) {
    if (args.empty() || args[0] != "rotate-master" || wantsHelp(args)) {
        std::cout << kHelp;
        return wantsHelp(args) ? 0 : 2;
    }
    const auto& masterKeys = eventstore::MasterKeys::required();
    pg::Connection c(config.databaseUrl);
    eventstore::migrate(c);
    try {
        const auto r = eventstore::rotateMasterKey(c, masterKeys);
        std::cout << "keys: " << r.rewrapped << " data key(s) re-wrapped under master key " << masterKeys.currentId()
                  << ", " << r.alreadyCurrent << " already current" << std::endl;
        return 0;
    } catch (const eventstore::KeyError& e) {
        std::cerr << "lms keys rotate-master: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace lms::ops
