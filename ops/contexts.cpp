#include "api/catalog/context.hpp"
#include "api/certificates/context.hpp"
#include "api/enrollment/context.hpp"
#include "api/identity/context.hpp"
#include "api/payments/context.hpp"
#include "api/progress/context.hpp"
#include "ops/commands.hpp"
#include "projections/stream_activity.hpp"

namespace lms::ops {

const api::Registry& contexts() {
    static const api::Registry registry = [] {
        api::Registry r;
        // One line per bounded context; identity first (the others' routes use its authenticator).
        identity::registerContext(r);
        catalog::registerContext(r);
        enrollment::registerContext(r);
        payments::registerContext(r);
        progress::registerContext(r);
        certificates::registerContext(r);
        // The read model of every stream, whatever its context (made once every category is known).
        r.projection([] { return std::make_unique<projections::StreamActivity>(contexts().categories()); });
        return r;
    }();
    return registry;
}

std::vector<std::unique_ptr<projections::Projection>> allProjections() { return contexts().projections(); }

}  // namespace lms::ops
