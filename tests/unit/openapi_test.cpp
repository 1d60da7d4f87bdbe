// The OpenAPI document and the router agree: every routed path is documented and every
// documented path is routed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "api/openapi.hpp"
#include "api/identity/service.hpp"
#include "api/server.hpp"

namespace lms {

TEST(OpenApi, DocumentsExactlyTheRoutesTheRouterKnows) {
    const auto doc = nlohmann::json::parse(api::openApiDocument());
    EXPECT_EQ(doc["openapi"], "3.1.0");
    std::set<std::string> documented;
    for (const auto& [path, ops] : doc["paths"].items()) {
        for (const auto& [method, op] : ops.items()) {
            std::string m = method;
            for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            documented.insert(m + " " + path);
        }
    }
    pg::Pool pool("host=/nonexistent", 1);  // never connected: routes are only listed
    api::HealthProbe health(pool, "");
    api::identity::Settings settings;
    settings.secret = std::string(32, 'k');
    settings.cost.memoryKiB = 1024;
    settings.cost.timeCost = 1;
    api::identity::Service identity(pool, settings);
    const auto router = api::makeRouter(health, pool, identity);
    std::set<std::string> routed;
    for (const auto& r : router.routes()) routed.insert(r.method + " " + r.pattern);
    EXPECT_EQ(routed, documented);
}

}  // namespace lms
