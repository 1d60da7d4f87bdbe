#include "api/progress/context.hpp"

#include "api/progress/routes.hpp"
#include "domain/progress/ids.hpp"
#include "projections/progress/projection.hpp"

namespace lms::progress {

void registerContext(api::Registry& registry) {
    registry.streamCategories(domain::progress::kCategories);
    registry.projection([] { return std::make_unique<projections::progress::ProgressProjection>(); });
    registry.http([](api::Services& services) { return std::make_unique<Routes>(services); });
}

}  // namespace lms::progress
