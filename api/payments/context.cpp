#include "api/payments/context.hpp"

#include "api/payments/processor.hpp"
#include "api/payments/routes.hpp"
#include "domain/payments/ids.hpp"
#include "projections/payments/projection.hpp"

namespace lms::payments {

void registerContext(api::Registry& registry) {
    registry.streamCategories(domain::payments::kCategories);
    registry.projection([] { return std::make_unique<projections::payments::Payments>(); });
    registry.http([](api::Services& services) { return std::make_unique<Routes>(services); });
    registry.worker("payments", [](const api::Environment& env, const std::atomic<bool>& stop) {
        pg::Connection c(env.config.databaseUrl);
        Processor(c, env.clock, 100, env.config.pollIntervalMs).run(stop);
    });
}

}  // namespace lms::payments
