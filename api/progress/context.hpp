#pragma once
#include "api/context.hpp"

namespace lms::progress {

// The progress context: its stream category, its read model, its routes.
void registerContext(api::Registry& registry);

}  // namespace lms::progress
