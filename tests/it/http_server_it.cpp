// The HTTP server's cross-cutting behaviour over a real socket: request ids, security headers,
// body limits (413), content types (415), CORS, 404/405 problems, 500 without internals, metrics.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/rate_limit.hpp"
#include "api/server.hpp"
#include "common/metrics.hpp"

namespace lms {
namespace {

struct Reply {
    int status = 0;
    std::string body;
    Poco::Net::HTTPResponse head;
};

Reply send(int port, const std::string& method, const std::string& path, const std::string& body = "",
           const std::string& contentType = "application/json", const std::map<std::string, std::string>& headers = {}) {
    Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST") {
        req.setContentType(contentType);
        req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    s.sendRequest(req) << body;
    Reply r;
    auto& in = s.receiveResponse(r.head);
    r.status = r.head.getStatus();
    Poco::StreamCopier::copyToString(in, r.body);
    return r;
}

class HttpServer : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("LMS_HTTP_PORT", "0", 1);
        ::setenv("LMS_HTTP_MAX_BODY_BYTES", "2048", 1);
        ::setenv("LMS_CORS_ORIGINS", "https://app.example.com, http://localhost:5173", 1);
        ::setenv("LMS_TRUSTED_PROXIES", "127.0.0.1", 1);
        config_ = Config::fromEnvironment();
        api::Router router;
        router.add("POST", "/api/v1/echo/{name}", [](api::Request& r) {
            return api::Response{200, "application/json",
                                 nlohmann::json{{"name", r.params["name"]}, {"body", r.body}}.dump(), {}};
        });
        router.add("POST", "/api/v1/limited", [](api::Request&) { return api::Response{200, "application/json", "{}", {}}; },
                   std::make_shared<api::RateLimiter>("test", 60.0, 2.0));
        router.add("GET", "/api/v1/boom", [](api::Request&) -> api::Response {
            throw std::runtime_error("SELECT secret FROM internals failed");
        });
        server_ = std::make_unique<api::Server>(config_, std::move(router));
        server_->start();
        port_ = server_->port();
    }
    void TearDown() override {
        server_->stop();
        for (const char* v : {"LMS_HTTP_PORT", "LMS_HTTP_MAX_BODY_BYTES", "LMS_CORS_ORIGINS", "LMS_TRUSTED_PROXIES"}) ::unsetenv(v);
    }
    Config config_;
    std::unique_ptr<api::Server> server_;
    int port_ = 0;
};

TEST_F(HttpServer, RoutesWithPathParametersAndSecurityHeaders) {
    auto r = send(port_, "POST", "/api/v1/echo/alice", R"({"x":1})", "application/json; charset=utf-8",
                  {{"X-Request-Id", "abc-123"}});
    EXPECT_EQ(r.status, 200) << r.body;
    const auto j = nlohmann::json::parse(r.body);
    EXPECT_EQ(j["name"], "alice");
    EXPECT_EQ(j["body"], R"({"x":1})");
    EXPECT_EQ(r.head.get("X-Request-Id"), "abc-123");
    EXPECT_EQ(r.head.get("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.head.get("X-Frame-Options"), "DENY");
    EXPECT_FALSE(r.head.has("Access-Control-Allow-Origin"));
    // An id that could smuggle into logs is replaced by a generated one.
    auto bad = send(port_, "POST", "/api/v1/echo/a", "{}", "application/json", {{"X-Request-Id", "a b\"c"}});
    EXPECT_NE(bad.head.get("X-Request-Id"), "a b\"c");
    EXPECT_EQ(bad.head.get("X-Request-Id").size(), 36u);
}

TEST_F(HttpServer, RefusesLargeBodiesAndWrongContentTypesWithProblems) {
    auto big = send(port_, "POST", "/api/v1/echo/a", std::string(3000, 'x'));
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(big.head.getContentType(), "application/problem+json");
    EXPECT_EQ(nlohmann::json::parse(big.body)["code"], "body_too_large");
    auto form = send(port_, "POST", "/api/v1/echo/a", "a=1", "application/x-www-form-urlencoded");
    EXPECT_EQ(form.status, 415);
    EXPECT_EQ(nlohmann::json::parse(form.body)["code"], "unsupported_media_type");
}

TEST_F(HttpServer, UnknownPathsAndMethodsAndFailuresAreProblemsWithoutInternals) {
    auto missing = send(port_, "GET", "/api/v1/nope");
    EXPECT_EQ(missing.status, 404);
    auto wrongMethod = send(port_, "GET", "/api/v1/echo/a");
    EXPECT_EQ(wrongMethod.status, 405);
    EXPECT_EQ(nlohmann::json::parse(wrongMethod.body)["code"], "method_not_allowed");
    auto boom = send(port_, "GET", "/api/v1/boom");
    EXPECT_EQ(boom.status, 500);
    EXPECT_EQ(boom.body.find("SELECT"), std::string::npos) << boom.body;
    EXPECT_EQ(nlohmann::json::parse(boom.body)["requestId"], boom.head.get("X-Request-Id"));
}

TEST_F(HttpServer, CorsOnlyForAllowedOrigins) {
    auto pre = send(port_, "OPTIONS", "/api/v1/echo/a", "", "",
                    {{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_EQ(pre.status, 204);
    EXPECT_EQ(pre.head.get("Access-Control-Allow-Origin"), "https://app.example.com");
    EXPECT_NE(pre.head.get("Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
    auto other = send(port_, "OPTIONS", "/api/v1/echo/a", "", "",
                      {{"Origin", "https://evil.example.net"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_FALSE(other.head.has("Access-Control-Allow-Origin"));
    auto real = send(port_, "POST", "/api/v1/echo/a", "{}", "application/json", {{"Origin", "http://localhost:5173"}});
    EXPECT_EQ(real.head.get("Access-Control-Allow-Origin"), "http://localhost:5173");
    EXPECT_EQ(real.head.get("Vary"), "Origin");
}

TEST_F(HttpServer, RateLimitsPerClientWithRetryAfterBehindATrustedProxy) {
    // The socket peer (127.0.0.1) is a trusted proxy: the client is the X-Forwarded-For hop it added.
    const std::map<std::string, std::string> alice{{"X-Forwarded-For", "198.51.100.7"}};
    const std::map<std::string, std::string> bob{{"X-Forwarded-For", "6.6.6.6, 203.0.113.9"}};
    EXPECT_EQ(send(port_, "POST", "/api/v1/limited", "{}", "application/json", alice).status, 200);
    EXPECT_EQ(send(port_, "POST", "/api/v1/limited", "{}", "application/json", alice).status, 200);
    auto third = send(port_, "POST", "/api/v1/limited", "{}", "application/json", alice);
    EXPECT_EQ(third.status, 429);
    EXPECT_EQ(third.head.get("Retry-After"), "1");
    EXPECT_EQ(nlohmann::json::parse(third.body)["code"], "rate_limited");
    EXPECT_EQ(send(port_, "POST", "/api/v1/limited", "{}", "application/json", bob).status, 200)
        << "another client has its own bucket, whatever it wrote to the left of the proxy's hop";
}

TEST_F(HttpServer, RecordsLatencyByRouteAndStatus) {
    send(port_, "POST", "/api/v1/echo/metrics", "{}");
    const auto text = metrics::Registry::global().render();
    EXPECT_NE(text.find("lms_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/echo/{name}\",status=\"200\"}"),
              std::string::npos)
        << text;
}

}  // namespace
}  // namespace lms
