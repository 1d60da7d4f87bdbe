// The OpenAPI document and the router that `lms serve` builds agree: every routed path is
// documented and every documented path is routed; a rate-limited route documents its 429.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>
#include <set>

#include "api/context.hpp"
#include "api/openapi.hpp"
#include "api/server.hpp"
#include "ops/commands.hpp"

namespace lms {
namespace {

std::string upper(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
}

// Every route of this build, mounted as `lms serve` mounts them (never connected: only listed).
struct Mounted {
    Mounted() {
        config.argon2MemoryKiB = 1024;
        config.argon2Iterations = 1;
        // Given, so that mounting the certificates' routes writes no key file (and no folder of
        // files) into the working directory.
        config.certificateSigningKey = std::string(64, 'a');
        config.dataDir = (std::filesystem::temp_directory_path() / "lms-openapi-test").string();
        api::addCoreRoutes(router, health, pool);
        sides = ops::contexts().mountHttp(services, router);
    }
    Config config;
    pg::Pool pool{"host=/nonexistent", 1};
    api::HealthProbe health{pool, ""};
    api::Environment env{config, Clock::system(), ""};
    api::EventFeed feed;
    eventstore::GroupCommit newStreams;
    api::Services services{env, pool, feed, newStreams, std::string(32, 'k'), nullptr};
    http::Router router;
    std::vector<std::unique_ptr<api::HttpSide>> sides;
};

}  // namespace

TEST(OpenApi, DocumentsExactlyTheRoutesTheRouterKnows) {
    const auto doc = nlohmann::json::parse(api::openApiDocument());
    EXPECT_EQ(doc["openapi"], "3.1.0");
    std::set<std::string> documented;
    for (const auto& [path, ops] : doc["paths"].items()) {
        for (const auto& [method, op] : ops.items()) documented.insert(upper(method) + " " + path);
    }
    Mounted m;
    std::set<std::string> routed;
    for (const auto& r : m.router.routes()) routed.insert(r.method + " " + r.pattern);
    EXPECT_EQ(routed, documented);
}

TEST(OpenApi, EveryRateLimitedRouteDocumentsItsTooManyRequests) {
    const auto doc = nlohmann::json::parse(api::openApiDocument());
    Mounted m;
    int limited = 0;
    for (const auto& r : m.router.routes()) {
        if (!r.limitPerClient) continue;
        ++limited;
        std::string method = r.method;
        for (auto& ch : method) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        const auto& op = doc["paths"][r.pattern][method];
        EXPECT_TRUE(op["responses"].contains("429")) << r.method << " " << r.pattern;
    }
    EXPECT_GE(limited, 5);  // register, login, refresh, password forgot and reset
}

}  // namespace lms
