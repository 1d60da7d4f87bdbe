#pragma once
// The environment every `lms` process under test starts with, in one place.
#include <map>
#include <string>

#include "common/password.hpp"

namespace lms::test {

// Argon2id at the smallest cost the configuration accepts (common/config.cpp: 1024 KiB, one
// pass): the tests check the flows, not the cost of the hash, and the debug build runs Argon2
// under the sanitizers. Tests that hash in process (registerUser) pass it as the cost.
inline const password::Cost kCheapPasswordCost{1, 1024, 1};

// The master key of every test: the lms processes under test get it as LMS_MASTER_KEY, and the
// test processes install it (tests/support/master_keys.hpp), so that either side opens the
// personal data the other sealed. A test of the generated key passes {"LMS_MASTER_KEY", ""}.
inline constexpr const char* kTestMasterKeyHex = "6c6d732d746573742d6d61737465722d6b65792d6e6f742d666f722d75736521";

// LMS_DATABASE_URL (when given), warn-level logs, the cheap Argon2id and the test master key,
// then `extra` (which wins).
inline std::map<std::string, std::string> lmsEnvironment(const std::string& databaseUrl,
                                                         const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> env{{"LMS_LOG_LEVEL", "warn"},
                                           {"LMS_ARGON2_MEMORY_KIB", std::to_string(kCheapPasswordCost.memoryKiB)},
                                           {"LMS_ARGON2_ITERATIONS", std::to_string(kCheapPasswordCost.timeCost)},
                                           {"LMS_MASTER_KEY", kTestMasterKeyHex}};
    if (!databaseUrl.empty()) env["LMS_DATABASE_URL"] = databaseUrl;
    for (const auto& [k, v] : extra) env[k] = v;
    return env;
}

}  // namespace lms::test
