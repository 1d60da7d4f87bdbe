#pragma once
#include <string>

#include "common/config.hpp"

namespace lms {

// The server's secret (it signs access tokens and derives reset and CSRF tokens): LMS_JWT_SECRET
// when set; otherwise a random 32-byte secret kept in <LMS_DATA_DIR>/jwt-secret (mode 0600),
// created on first use, so that a development server's tokens survive a restart. Every process of
// one deployment must see the same secret. Throws ConfigError when the file cannot be used.
std::string serverSecret(const Config& config);

}  // namespace lms
