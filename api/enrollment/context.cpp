#include "api/enrollment/context.hpp"

#include "api/enrollment/routes.hpp"
#include "domain/enrollment/ids.hpp"
#include "projections/enrollment/projection.hpp"

namespace lms::enrollment {

void registerContext(api::Registry& registry) {
    registry.streamCategories(domain::enrollment::kCategories);
    registry.projection([] { return std::make_unique<projections::enrollment::Enrollments>(); });
    registry.http([](api::Services& services) { return std::make_unique<Routes>(services); });
}

}  // namespace lms::enrollment
