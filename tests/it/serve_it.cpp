// `lms serve` and the operator commands as a user runs them: real processes, real HTTP over a
// socket, the embedded Kafka cluster, a real PostgreSQL.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "common/ids.hpp"
#include "eventstore/event_store.hpp"
#include "tests/support/dump.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/lms_env.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/wait.hpp"

namespace lms {
namespace {

int portFrom(const std::string& line) { return std::stoi(line.substr(line.rfind(':') + 1)); }

TEST(Serve, HealthReplayAuditAndACleanStop) {
    test::TestDatabase db;
    const auto env = test::lmsEnvironment(db.url(), {{"LMS_HTTP_PORT", "0"}, {"LMS_POLL_INTERVAL_MS", "50"}});
    test::Process serve({test::lmsBinary(), "serve"}, env);
    const auto kafkaLine = serve.waitForLine("kafka: embedded mock cluster at", std::chrono::seconds(60));
    const int port = portFrom(serve.waitForLine("http: listening on", std::chrono::seconds(60)));
    serve.waitForLine("lms: serving", std::chrono::seconds(60));

    auto health = test::call(port, "GET", "/api/v1/health", std::nullopt, {{"X-Request-Id", "req-from-client-1"}});
    EXPECT_EQ(health.status, 200) << health.raw;
    EXPECT_EQ(health.header("X-Request-Id"), "req-from-client-1");
    const auto& h = health.body;
    EXPECT_EQ(h["components"]["postgres"]["status"], "up");
    EXPECT_EQ(h["components"]["kafka"]["status"], "up");

    auto missing = test::call(port, "GET", "/api/v1/nothing-here");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.contentType, "application/problem+json");
    EXPECT_FALSE(missing.header("X-Request-Id").empty());
    EXPECT_EQ(missing.body["code"], "not_found");
    EXPECT_EQ(missing.body["requestId"], missing.header("X-Request-Id"));

    // Events appended by anyone reach the live read model through the running projections.
    pg::Connection c(db.url());
    eventstore::EventStore st(c);
    for (int i = 0; i < 60; ++i) {
        ASSERT_TRUE(st.append("course-" + std::to_string(i % 9), eventstore::ExpectedVersion::any(),
                              {eventstore::NewEvent{newUuid(), "Edited", 1, R"({"n":)" + std::to_string(i) + "}",
                                                    R"({"actorId":"admin-1"})"}})
                        .has_value());
    }
    ASSERT_TRUE(test::eventually(
        [&] { return c.exec("SELECT coalesce(sum(version), 0) FROM lms_rm.stream_activity").i64(0, 0) >= 60; },
        std::chrono::seconds(30)))
        << "the projection did not catch up";
    const auto live = test::dumpTable(c, "lms_rm.stream_activity", "stream_id");

    auto metricsReply = test::call(port, "GET", "/metrics");
    EXPECT_EQ(metricsReply.status, 200);
    EXPECT_NE(metricsReply.raw.find("lms_projection_lag_events{projection=\"stream_activity\"} 0"), std::string::npos)
        << metricsReply.raw;
    EXPECT_NE(metricsReply.raw.find("lms_relay_lag_events"), std::string::npos);
    EXPECT_NE(metricsReply.raw.find("lms_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/health\""),
              std::string::npos);
    auto openapi = test::call(port, "GET", "/api/v1/openapi.json");
    EXPECT_EQ(openapi.status, 200);
    EXPECT_EQ(openapi.body["openapi"], "3.1.0");

    // lms replay rebuilds while the server runs; the result equals the live read model.
    auto [replayStatus, replayOut] = test::runLms({"replay"}, env);
    EXPECT_EQ(replayStatus, 0) << replayOut;
    EXPECT_NE(replayOut.find("stream_activity: 60 events"), std::string::npos) << replayOut;
    EXPECT_EQ(test::dumpTable(c, "lms_rm.stream_activity", "stream_id"), live);

    auto [verifyStatus, verifyOut] = test::runLms({"audit", "verify"}, env);
    EXPECT_EQ(verifyStatus, 0) << verifyOut;
    EXPECT_NE(verifyOut.find("9 streams, 60 events verified, 0 altered"), std::string::npos) << verifyOut;

    auto [streamStatus, streamOut] = test::runLms({"audit", "stream", "course-0"}, env);
    EXPECT_EQ(streamStatus, 0) << streamOut;
    EXPECT_NE(streamOut.find("Edited  actor=admin-1"), std::string::npos) << streamOut;
    EXPECT_NE(streamOut.find("\"n\": 54"), std::string::npos) << "state is the fold of every event:\n" << streamOut;
    auto [asOfStatus, asOfOut] = test::runLms({"audit", "stream", "course-0", "--as-of", "2000-01-01T00:00:00Z"}, env);
    EXPECT_EQ(asOfStatus, 0);
    EXPECT_NE(asOfOut.find("(version 0)"), std::string::npos) << asOfOut;

    auto [tailStatus, tailOut] = test::runLms({"events", "tail", "--limit", "3"}, env);
    EXPECT_EQ(tailStatus, 0);
    int lines = 0;
    for (std::size_t i = 0; (i = tailOut.find("{\"eventId\"", i)) != std::string::npos; ++i) ++lines;
    EXPECT_EQ(lines, 3) << tailOut;

    serve.kill(SIGINT);
    serve.waitForLine("lms: stopped", std::chrono::seconds(30));
    EXPECT_EQ(serve.wait(), 0);
    (void)kafkaLine;
}

TEST(Serve, HealthIs503WhenKafkaDoesNotAnswer) {
    test::TestDatabase db;
    test::Process serve(
        {test::lmsBinary(), "serve", "--only", "api"},
        test::lmsEnvironment(
            db.url(), {{"LMS_HTTP_PORT", "0"}, {"LMS_KAFKA_BROKERS", "127.0.0.1:1"}, {"LMS_LOG_LEVEL", "error"}}));
    const int port = portFrom(serve.waitForLine("http: listening on", std::chrono::seconds(60)));
    auto health = test::call(port, "GET", "/api/v1/health");
    EXPECT_EQ(health.status, 503) << health.raw;
    const auto& h = health.body;
    EXPECT_EQ(h["components"]["postgres"]["status"], "up");
    EXPECT_EQ(h["components"]["kafka"]["status"], "down");
}

TEST(Serve, BadConfigurationFailsAtStartWithOneLineNamingTheVariable) {
    auto [status, out] = test::runLms({"serve"}, {{"LMS_HTTP_PORT", "eighty"}});
    EXPECT_EQ(status, 78);
    EXPECT_NE(out.find("LMS_HTTP_PORT='eighty'"), std::string::npos) << out;
    auto [dbStatus, dbOut] =
        test::runLms({"migrate"}, {{"LMS_DATABASE_URL", "host=127.0.0.1 port=1 user=lms dbname=x connect_timeout=2"}});
    EXPECT_EQ(dbStatus, 69);
    EXPECT_NE(dbOut.find("cannot connect to PostgreSQL"), std::string::npos) << dbOut;
    auto [helpStatus, helpOut] = test::runLms({"replay", "--help"}, {});
    EXPECT_EQ(helpStatus, 0);
    EXPECT_NE(helpOut.find("usage: lms replay"), std::string::npos);
}

}  // namespace
}  // namespace lms

namespace lms {
namespace {

TEST(AdminCreate, BootstrapsAnAdminFromStdinAndRefusesASecondWithTheSameEmail) {
    test::TestDatabase db;
    const auto env = test::lmsEnvironment(db.url());
    const std::string cmd = "printf 'a long admin passphrase\\n' | '" + test::lmsBinary() +
                            "' admin create --email Ops@Example.com --first-name Grace";
    auto [status, out] = test::runLms({}, {});  // lms with no command: usage, exit 2
    EXPECT_EQ(status, 2);
    test::Process first({"/bin/sh", "-c", cmd}, env, true);
    const auto line = first.waitForLine("admin created", std::chrono::seconds(60));
    EXPECT_NE(line.find("ops@example.com"), std::string::npos) << line;
    EXPECT_EQ(first.wait(), 0);
    test::Process second({"/bin/sh", "-c", cmd}, env, true);
    const auto refused = second.waitForLine("lms admin create:", std::chrono::seconds(60));
    EXPECT_NE(refused.find("is already registered"), std::string::npos) << refused;
    EXPECT_EQ(second.wait(), 1);
    pg::Connection c(db.url());
    const auto r = c.exec("SELECT data->>'role', data->>'email' FROM lms_events WHERE event_type = 'UserRegistered'");
    ASSERT_EQ(r.rows(), 1);
    EXPECT_EQ(r.str(0, 0), "ADMIN");
    EXPECT_EQ(r.str(0, 1).rfind("pd1:", 0), 0u) << "the email is sealed in the store";
}

}  // namespace
}  // namespace lms
