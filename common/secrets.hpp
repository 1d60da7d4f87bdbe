#pragma once
#include <string>

#include "common/config.hpp"

namespace lms {

// The server's secret (it signs access tokens and derives reset and CSRF tokens): LMS_JWT_SECRET
// when set; otherwise a random 32-byte secret kept in <LMS_DATA_DIR>/jwt-secret (mode 0600),
// created on first use, so that a development server's tokens survive a restart. Every process of
// one deployment must see the same secret. Throws ConfigError when the file cannot be used.
std::string serverSecret(const Config& config);

// The key-encryption key of the per-subject data keys, as 32 raw bytes: LMS_MASTER_KEY when set;
// otherwise a random key kept in <LMS_DATA_DIR>/master-key (mode 0600, 64 hex characters),
// created on first use like the server's secret. Throws ConfigError when the file cannot be used.
// A backup that holds this file beside the database can open every data key: in production, set
// LMS_MASTER_KEY from a secret store instead (docs/decisions/0012-key-wrapping.md).
std::string masterKey(const Config& config);

// The Ed25519 seed that signs certificates, as 32 raw bytes: LMS_CERTIFICATE_SIGNING_KEY when
// set; otherwise a random one kept in <LMS_DATA_DIR>/certificate-signing-key (mode 0600), created
// on first use. Every API server of one deployment must see the same key: set it there.
std::string certificateSigningKey(const Config& config);

}  // namespace lms
