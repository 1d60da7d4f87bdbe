#include "api/certificates/context.hpp"

#include "api/certificates/routes.hpp"
#include "domain/certificates/ids.hpp"
#include "projections/certificates/projection.hpp"
#include "workers/certificate_worker/worker.hpp"

namespace lms::certificates {

void registerContext(api::Registry& registry) {
    registry.streamCategories(domain::certificates::kCategories);
    registry.projection([] { return std::make_unique<projections::certificates::CertificatesProjection>(); });
    registry.http([](api::Services& services) { return std::make_unique<Routes>(services); });
    registry.worker("certificates", [](const api::Environment& env, const std::atomic<bool>& stop) {
        CertificateWorker worker(env.config, env.brokers, env.clock);
        worker.run(stop);
    });
}

}  // namespace lms::certificates
