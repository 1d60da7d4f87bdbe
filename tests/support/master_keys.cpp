#include "tests/support/master_keys.hpp"

#include "common/sha256.hpp"
#include "tests/support/lms_env.hpp"

namespace lms::test {
namespace {

struct InstalledKeys {
    eventstore::MasterKeys keys{fromHex(kTestMasterKeyHex).value()};
    InstalledKeys() { keys.install(); }
};

}  // namespace

const eventstore::MasterKeys& testMasterKeys() {
    static const InstalledKeys installed;
    return installed.keys;
}

}  // namespace lms::test
