#pragma once
// The master key of test processes: what PersonalData wraps data keys with in process.
#include "eventstore/master_keys.hpp"

namespace lms::test {

// The keyring of kTestMasterKeyHex (tests/support/lms_env.hpp), the key the lms processes under
// test are given. Installed by the first call, which every TestDatabase makes.
const eventstore::MasterKeys& testMasterKeys();

// Installs keys (or, with nullptr, none) for a scope, then the test keyring again.
class UsingMasterKeys {
public:
    explicit UsingMasterKeys(const eventstore::MasterKeys* keys) {
        if (keys != nullptr) {
            keys->install();
        } else {
            eventstore::MasterKeys::uninstall();
        }
    }
    ~UsingMasterKeys() { testMasterKeys().install(); }
    UsingMasterKeys(const UsingMasterKeys&) = delete;
    UsingMasterKeys& operator=(const UsingMasterKeys&) = delete;
};

}  // namespace lms::test
