#pragma once
#include "api/context.hpp"

namespace lms::catalog {

// The catalog context: the course-* streams, the catalog read model and the course routes of
// routes.hpp. Registered after identity, whose authenticator its routes use.
void registerContext(api::Registry& registry);

}  // namespace lms::catalog
