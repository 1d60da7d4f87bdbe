#pragma once
#include "api/context.hpp"

namespace lms::payments {

// The payments context: the payment-* and webhook-* streams, the payments read model, the routes
// of routes.hpp and the notice processor (worker "payments"). Registered after enrollment, whose
// use cases the processor runs.
void registerContext(api::Registry& registry);

}  // namespace lms::payments
