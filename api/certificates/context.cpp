#include "api/certificates/context.hpp"

#include "api/certificates/routes.hpp"
#include "domain/certificates/ids.hpp"
#include "projections/certificates/projection.hpp"

namespace lms::certificates {

void registerContext(api::Registry& registry) {
    registry.streamCategories(domain::certificates::kCategories);
    registry.projection([] { return std::make_unique<projections::certificates::CertificatesProjection>(); });
    registry.http([](api::Services& services) { return std::make_unique<Routes>(services); });
}

}  // namespace lms::certificates
