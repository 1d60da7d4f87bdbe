#pragma once
#include "api/context.hpp"

namespace lms::certificates {

// The certificates context: the certificate-* streams, their read model, the routes of
// routes.hpp and the certificate worker (workers/certificates). Registered after progress.
void registerContext(api::Registry& registry);

}  // namespace lms::certificates
