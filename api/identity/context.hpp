#pragma once
#include "api/context.hpp"

namespace lms::identity {

// The identity context: the user-* and session-* streams, the identity read model, the routes
// of routes.hpp with the authenticator every context uses, and the mailer worker (welcome and
// password-reset mail). Registered first: the other contexts' routes use its authenticator.
void registerContext(api::Registry& registry);

}  // namespace lms::identity
