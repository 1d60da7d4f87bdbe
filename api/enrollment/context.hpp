#pragma once
#include "api/context.hpp"

namespace lms::enrollment {

// The enrollment context: the enrollment-* streams, the enrollment read model and the routes of
// routes.hpp. Registered after catalog, whose read model its use cases read.
void registerContext(api::Registry& registry);

}  // namespace lms::enrollment
