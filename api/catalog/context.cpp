#include "api/catalog/context.hpp"

#include "api/catalog/routes.hpp"
#include "domain/catalog/ids.hpp"
#include "projections/catalog/projection.hpp"

namespace lms::catalog {

void registerContext(api::Registry& registry) {
    registry.streamCategories(domain::catalog::kCategories);
    registry.projection([] { return std::make_unique<projections::catalog::Catalog>(); });
    registry.http([](api::Services& services) { return std::make_unique<Routes>(services); });
}

}  // namespace lms::catalog
