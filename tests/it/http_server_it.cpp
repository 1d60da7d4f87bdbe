// The HTTP server's cross-cutting behaviour over a real socket: request ids, security headers,
// body limits (413), content types (415), CORS, 404/405 problems, 500 without internals, metrics.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/http/rate_limit.hpp"
#include "api/server.hpp"
#include "common/metrics.hpp"
#include "common/log.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/raw_socket.hpp"

#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace lms {
namespace {

using test::call;
using test::rawExchange;
using test::Headers;

class HttpServer : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("LMS_HTTP_PORT", "0", 1);
        ::setenv("LMS_HTTP_MAX_BODY_BYTES", "2048", 1);
        ::setenv("LMS_CORS_ORIGINS", "https://app.example.com, http://localhost:5173", 1);
        ::setenv("LMS_TRUSTED_PROXIES", "127.0.0.1", 1);
        config_ = Config::fromEnvironment();
        http::Router router;
        router.add("POST", "/api/v1/echo/{name}", [](http::Request& r) {
            return http::Response{
                200, "application/json", nlohmann::json{{"name", r.params["name"]}, {"body", r.body}}.dump(), {}};
        });
        router.add(
            "POST", "/api/v1/limited",
            [](http::Request&) {
                return http::Response{200, "application/json", "{}", {}};
            },
            std::make_shared<http::RateLimiter>("test", 60.0, 2.0));
        router.add("GET", "/api/v1/boom", [](http::Request&) -> http::Response {
            throw std::runtime_error("SELECT secret FROM internals failed");
        });
        server_ = std::make_unique<api::Server>(config_, std::move(router));
        server_->start();
        port_ = server_->port();
    }
    void TearDown() override {
        server_->stop();
        for (const char* v : {"LMS_HTTP_PORT", "LMS_HTTP_MAX_BODY_BYTES", "LMS_CORS_ORIGINS", "LMS_TRUSTED_PROXIES"})
            ::unsetenv(v);
    }
    Config config_;
    std::unique_ptr<api::Server> server_;
    int port_ = 0;
};

TEST_F(HttpServer, RoutesWithPathParametersAndSecurityHeaders) {
    auto r = call(port_, "POST", "/api/v1/echo/alice", std::nullopt,
                  {{"Content-Type", "application/json; charset=utf-8"}, {"X-Request-Id", "abc-123"}}, R"({"x":1})");
    EXPECT_EQ(r.status, 200) << r.raw;
    EXPECT_EQ(r.body["name"], "alice");
    EXPECT_EQ(r.body["body"], R"({"x":1})");
    EXPECT_EQ(r.header("X-Request-Id"), "abc-123");
    EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
    EXPECT_FALSE(r.hasHeader("Access-Control-Allow-Origin"));
    // An id that could smuggle into logs is replaced by a generated one.
    auto bad = call(port_, "POST", "/api/v1/echo/a", nlohmann::json::object(), {{"X-Request-Id", "a b\"c"}});
    EXPECT_NE(bad.header("X-Request-Id"), "a b\"c");
    EXPECT_EQ(bad.header("X-Request-Id").size(), 36u);
}

TEST_F(HttpServer, RefusesLargeBodiesAndWrongContentTypesWithProblems) {
    auto big = call(port_, "POST", "/api/v1/echo/a", std::nullopt, {}, std::string(3000, 'x'));
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(big.contentType, "application/problem+json");
    EXPECT_EQ(big.body["code"], "body_too_large");
    auto form = call(port_, "POST", "/api/v1/echo/a", std::nullopt,
                     {{"Content-Type", "application/x-www-form-urlencoded"}}, "a=1");
    EXPECT_EQ(form.status, 415);
    EXPECT_EQ(form.body["code"], "unsupported_media_type");
}

TEST_F(HttpServer, UnknownPathsAndMethodsAndFailuresAreProblemsWithoutInternals) {
    auto missing = call(port_, "GET", "/api/v1/nope");
    EXPECT_EQ(missing.status, 404);
    auto wrongMethod = call(port_, "GET", "/api/v1/echo/a");
    EXPECT_EQ(wrongMethod.status, 405);
    EXPECT_EQ(wrongMethod.body["code"], "method_not_allowed");
    auto boom = call(port_, "GET", "/api/v1/boom");
    EXPECT_EQ(boom.status, 500);
    EXPECT_EQ(boom.raw.find("SELECT"), std::string::npos) << boom.raw;
    EXPECT_EQ(boom.body["requestId"], boom.header("X-Request-Id"));
}

TEST_F(HttpServer, CorsOnlyForAllowedOrigins) {
    auto pre = call(port_, "OPTIONS", "/api/v1/echo/a", std::nullopt,
                    {{"Origin", "https://app.example.com"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_EQ(pre.status, 204);
    EXPECT_EQ(pre.header("Access-Control-Allow-Origin"), "https://app.example.com");
    EXPECT_NE(pre.header("Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
    auto other = call(port_, "OPTIONS", "/api/v1/echo/a", std::nullopt,
                      {{"Origin", "https://evil.example.net"}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_FALSE(other.hasHeader("Access-Control-Allow-Origin"));
    auto real = call(port_, "POST", "/api/v1/echo/a", nlohmann::json::object(), {{"Origin", "http://localhost:5173"}});
    EXPECT_EQ(real.header("Access-Control-Allow-Origin"), "http://localhost:5173");
    EXPECT_EQ(real.header("Vary"), "Origin");
}

TEST_F(HttpServer, RateLimitsPerClientWithRetryAfterBehindATrustedProxy) {
    // The socket peer (127.0.0.1) is a trusted proxy: the client is the X-Forwarded-For hop it added.
    const Headers alice{{"X-Forwarded-For", "198.51.100.7"}};
    const Headers bob{{"X-Forwarded-For", "6.6.6.6, 203.0.113.9"}};
    const auto empty = nlohmann::json::object();
    EXPECT_EQ(call(port_, "POST", "/api/v1/limited", empty, alice).status, 200);
    EXPECT_EQ(call(port_, "POST", "/api/v1/limited", empty, alice).status, 200);
    auto third = call(port_, "POST", "/api/v1/limited", empty, alice);
    EXPECT_EQ(third.status, 429);
    EXPECT_EQ(third.header("Retry-After"), "1");
    EXPECT_EQ(third.body["code"], "rate_limited");
    EXPECT_EQ(call(port_, "POST", "/api/v1/limited", empty, bob).status, 200)
        << "another client has its own bucket, whatever it wrote to the left of the proxy's hop";
}

TEST_F(HttpServer, RecordsLatencyByRouteAndStatus) {
    call(port_, "POST", "/api/v1/echo/metrics", nlohmann::json::object());
    const auto text = metrics::Registry::global().render();
    EXPECT_NE(
        text.find(
            "lms_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/echo/{name}\",status=\"200\"}"),
        std::string::npos)
        << text;
}

nlohmann::json bodyOf(const std::string& response) {
    const auto at = response.find("\r\n\r\n");
    return at == std::string::npos ? nlohmann::json() : nlohmann::json::parse(response.substr(at + 4), nullptr, false);
}

TEST_F(HttpServer, BytesThatAreNotUtf8GetAProblemNotA500) {
    // Bytes outside visible ASCII in the target or in a header value are malformed framing (RFC
    // 9112 allows a server to refuse obs-text): 400, never an echo that fails as a 500.
    const auto path = rawExchange(port_, "GET /api/v1/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(path.rfind("HTTP/1.1 400", 0), 0u) << path;
    EXPECT_EQ(bodyOf(path)["code"], "bad_request");
    const auto type = rawExchange(port_,
                                  "POST /api/v1/echo/a HTTP/1.1\r\nHost: x\r\nContent-Type: text/\xe9\r\n"
                                  "Content-Length: 2\r\nConnection: close\r\n\r\nhi");
    EXPECT_EQ(type.rfind("HTTP/1.1 400", 0), 0u) << type;
    EXPECT_EQ(bodyOf(type)["code"], "bad_request");
}

TEST_F(HttpServer, OnlyTheCanonicalPathIsRouted) {
    for (const char* path : {"//api/v1/boom", "/api/v1/boom/", "/api//v1/boom"}) {
        EXPECT_EQ(call(port_, "GET", path).status, 404) << path;
    }
    EXPECT_EQ(call(port_, "GET", "/api/v1/boom").status, 500);  // the route itself is there
}

TEST_F(HttpServer, ControlCharactersFromARequestReachThePlainLogEscaped) {
    std::ostringstream captured;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
    sink->set_formatter(log::plainFormatter());
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
    spdlog::set_level(spdlog::level::info);
    const auto answer = rawExchange(port_,
                                    "GET /api/v1/\x1b[2J\x1b[31mred HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    spdlog::set_default_logger(previous);
    EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
    const std::string log = captured.str();
    // The parser refuses the control byte before the target is read; the refusal is logged, the
    // bytes are not (log::printable's escaping itself is tested in Log.*).
    EXPECT_NE(log.find("status=400"), std::string::npos) << log;
    EXPECT_EQ(log.find('\x1b'), std::string::npos) << "an escape sequence reached the log raw";
}

TEST_F(HttpServer, AClientCannotGrowTheMetricsWithMethodsOfItsOwn) {
    for (int i = 0; i < 50; ++i) {
        (void)rawExchange(port_,
                          "M" + std::to_string(i) + "X /api/v1/boom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    }
    const std::string text = metrics::Registry::global().render();
    EXPECT_EQ(text.find("method=\"M1X\""), std::string::npos);
    EXPECT_NE(text.find("method=\"OTHER\""), std::string::npos) << text;
}

}  // namespace
}  // namespace lms
