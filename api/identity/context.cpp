#include "api/identity/context.hpp"

#include "api/identity/routes.hpp"
#include "domain/identity/ids.hpp"
#include "projections/identity/projection.hpp"
#include "workers/mailer/mailer.hpp"

namespace lms::identity {

void registerContext(api::Registry& registry) {
    registry.streamCategories(domain::identity::kCategories);
    registry.streamCategories(mailer::kCategories);
    registry.projection([] { return std::make_unique<projections::identity::Identity>(); });
    registry.http([](api::Services& services) {
        const auto& config = services.env.config;
        return std::make_unique<Routes>(services, Settings::from(config, services.secret),
                                        TokenSettings::from(config, services.secret), RateLimits::from(config));
    });
    registry.worker("mailer", [](const api::Environment& env, const std::atomic<bool>& stop) {
        mailer::Mailer worker(env.config, env.brokers, env.clock);
        worker.run(stop);
    });
}

}  // namespace lms::identity
