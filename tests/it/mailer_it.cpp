// The mailer as it runs: `lms serve --only relay,workers` in a process of its own, a real SMTP
// server (aiosmtpd, tests/it/smtp_sink.py) with STARTTLS and AUTH, a Kafka-protocol broker, a
// real PostgreSQL. The received messages are parsed by Python's email package, not by the code
// that wrote them.
#include <dirent.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "api/identity/commands.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/sha256.hpp"
#include "domain/catalog/events.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/kafka.hpp"
#include "eventstore/personal_data.hpp"
#include "eventstore/relay.hpp"
#include "tests/support/kafka_offsets.hpp"
#include "tests/support/lms_env.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/smtp_sink.hpp"
#include "tests/support/wait.hpp"
#include "workers/mailer/mailer.hpp"

namespace lms {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;

const std::string kSecret = "mailer-it-secret-0123456789abcdef0123456789";
const std::string kPython = "/usr/bin/python3";  // Debian's, where python3-aiosmtpd lives
const std::string kSink = LMS_TESTS_IT_DIR "/smtp_sink.py";

std::int64_t nowUs() { return Clock::system().nowUs(); }

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tpl = (fs::temp_directory_path() / "lms-mailer-it.XXXXXX").string();
        path = mkdtemp(tpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

// Runs a command to completion; returns its exit status and output.
std::pair<int, std::string> run(const std::vector<std::string>& argv) {
    test::Process p(argv, {}, true);
    std::string out;
    try {
        for (;;) out += p.readLine(seconds(60)) + "\n";
    } catch (const std::exception&) {
    }
    return {p.wait(), out};
}

// A port on which nothing listens (bound, then released).
int closedPort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ADD_FAILURE() << "cannot bind a port to close";
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

// A self-signed certificate for 127.0.0.1 and localhost, made by openssl.
void selfSignedCertificate(const std::filesystem::path& cert, const std::filesystem::path& key) {
    auto [status, out] = run({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                              key.string(), "-out", cert.string(), "-days", "2", "-subj", "/CN=localhost", "-addext",
                              "subjectAltName=IP:127.0.0.1,DNS:localhost"});
    ASSERT_EQ(status, 0) << out;
}

class SmtpSink : public test::SmtpSink {
public:
    SmtpSink(const fs::path& dir, std::vector<std::string> extra) : test::SmtpSink(kSink, dir, std::move(extra)) {}
};

// `lms serve` with the relay and the workers only. With withLog, the log (stderr) comes through
// the pipe too: the test reads it with logs(), or the server blocks once the pipe is full.
class Server {
public:
    explicit Server(const std::map<std::string, std::string>& env, bool withLog = false)
        : p_({test::lmsBinary(), "serve", "--only", "relay,workers"}, env, withLog) {
        p_.waitForLine("lms: serving", seconds(60));
    }
    // Ctrl-C; returns how long it took to stop. The output is read meanwhile (a full pipe would
    // hold the server's log), and when the stop is slow the server's own account of it (its
    // "stopping: ... took" lines, and when it said "lms: stopped") is printed.
    std::chrono::milliseconds interrupt() {
        using std::chrono::milliseconds;
        const auto t0 = std::chrono::steady_clock::now();
        p_.kill(SIGINT);
        std::string account;
        auto said = milliseconds(-1);
        try {
            for (;;) {
                const auto line = p_.readLine(seconds(30));
                if (line.find("stopping:") != std::string::npos || line.find("kafka:") != std::string::npos)
                    account += "  " + line + "\n";
                if (line.find("lms: stopped") != std::string::npos) {
                    said = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
                    break;
                }
            }
        } catch (const std::runtime_error&) {  // it exited (or went quiet) without saying so
        }
        EXPECT_EQ(p_.wait(), 0);
        const auto took = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0);
        if (took >= milliseconds(5000)) {
            std::cerr << "lms serve said \"lms: stopped\" after " << said.count() << " ms and exited after "
                      << took.count() << " ms\n"
                      << account;
        }
        return took;
    }
    // Whether a log line holding needle comes within 90 s (only with withLog).
    bool logs(const std::string& needle) {
        try {
            p_.waitForLine(needle, seconds(90));
            return true;
        } catch (const std::runtime_error& e) {
            ADD_FAILURE() << e.what() << " for \"" << needle << "\"";
            return false;
        }
    }
    test::Process& process() { return p_; }

private:
    test::Process p_;
};

std::string registerUser(pg::Connection& c, const std::string& email, const std::string& first,
                         const std::string& last) {
    identity::Settings settings;
    settings.cost = test::kCheapPasswordCost;
    auto r = identity::Commands(c, Clock::system(), settings)
                 .registerUser({email, "a long passphrase", first, last}, {"", "it-" + newUuid(), ""});
    EXPECT_TRUE(r.has_value());
    return r ? r->userId.value() : "";
}

// The event id of the stream's last event of this type.
std::string lastEventId(pg::Connection& c, const std::string& stream, const std::string& type) {
    const auto events = eventstore::EventStore(c).readStream(stream);
    for (auto e = events.rbegin(); e != events.rend(); ++e) {
        if (e->type == type) return e->eventId;
    }
    return "";
}

// What the password-reset route appends: only the sha256 of the token the mailer derives.
std::string requestReset(pg::Connection& c, const std::string& userId, std::int64_t expiresAt, std::string& resetId) {
    resetId = newUuid();
    const std::string token = deriveToken(kSecret, "password-reset", resetId);
    std::string id = newUuid();
    eventstore::EventStore st(c);
    const json data{{"userId", userId},
                    {"resetId", resetId},
                    {"tokenHash", toHex(sha256(token))},
                    {"expiresAt", expiresAt},
                    {"at", nowUs()}};
    EXPECT_TRUE(st.append("user-" + userId, eventstore::ExpectedVersion::any(),
                          {eventstore::NewEvent{id, "UserPasswordResetRequested", 1, data.dump(),
                                                R"({"actorId":")" + userId + R"(","correlationId":"it-reset"})"}})
                    .has_value());
    return id;
}

// What DELETE /users/me does to the user's stream in one transaction: the key shredded, UserErased
// appended. (identity::Commands::erase also revokes sessions, which needs the read model that
// `lms serve --only relay,workers` does not build.)
void eraseUser(pg::Connection& c, const std::string& userId) {
    pg::Transaction tx(c);
    eventstore::PersonalData(c).shred("user-" + userId);
    EXPECT_TRUE(eventstore::EventStore(c)
                    .append("user-" + userId, eventstore::ExpectedVersion::any(),
                            {eventstore::NewEvent{newUuid(), "UserErased", 1, json{{"at", nowUs()}}.dump(), "{}"}})
                    .has_value());
    tx.commit();
}

// A course's life as the catalog's commands append it, each event by its instructor or the
// reviewing admin; returns the event ids in order.
std::vector<std::string> appendCourse(pg::Connection& c, const std::string& courseId,
                                      const std::vector<std::pair<std::string, json>>& events) {
    std::vector<eventstore::NewEvent> out;
    for (const auto& [type, data] : events) {
        out.push_back({newUuid(), type, 1, data.dump(), R"({"actorId":"it","correlationId":"it-course"})"});
    }
    EXPECT_TRUE(
        eventstore::EventStore(c).append("course-" + courseId, eventstore::ExpectedVersion::noStream(), out).has_value());
    std::vector<std::string> ids;
    for (const auto& e : out) ids.push_back(e.eventId);
    return ids;
}

json courseCreated(const std::string& courseId, const std::string& instructorId, const std::string& title) {
    namespace dc = domain::catalog;
    dc::CourseCreated e;
    e.courseId = dc::CourseId(courseId);
    e.instructorId = instructorId;
    e.slug = "course-" + courseId.substr(0, 8);
    e.details = {title, "What it teaches.", 0, "EUR", "PROGRAMMING", "BEGINNER", {}};
    e.at = nowUs();
    return e.toJson();
}

// What the relay publishes once the catalog context registers `course` (→ topic
// <prefix>.catalog): each event of the streams, its envelope keyed by stream id.
void publishToCatalogTopic(pg::Connection& c, const std::string& brokers, const std::string& prefix,
                           const std::vector<std::string>& streams) {
    std::vector<kafka::OutgoingMessage> out;
    for (const auto& stream : streams) {
        for (const auto& e : eventstore::EventStore(c).readStream(stream)) {
            out.push_back({eventstore::topicFor(prefix, "catalog"),
                           e.streamId,
                           eventstore::envelopeJson(e, "catalog"),
                           {{"lms.type", e.type}, {"lms.event_id", e.eventId}, {"lms.position", e.global.toString()}}});
        }
    }
    kafka::Producer producer(brokers);
    ASSERT_EQ(producer.sendAll(out, seconds(30)), 0u) << "the broker acknowledges the catalog events";
}

// The outcome recorded for a trigger: {type, data}.
std::pair<std::string, json> outcome(pg::Connection& c, const std::string& triggerId) {
    const auto events = eventstore::EventStore(c).readStream("mail-" + triggerId);
    if (events.empty()) return {"", json()};
    EXPECT_EQ(events.size(), 1u) << "one outcome per trigger";
    return {events.front().type, json::parse(events.front().data)};
}

std::int64_t count(pg::Connection& c, const std::string& sql) { return c.exec(sql).i64(0, 0); }

std::map<std::string, std::string> baseEnv(const test::TestDatabase& db, const fs::path& dataDir) {
    return test::lmsEnvironment(db.url(), {{"LMS_DATA_DIR", dataDir.string()},
                                           {"LMS_POLL_INTERVAL_MS", "50"},
                                           {"LMS_JWT_SECRET", kSecret},
                                           {"LMS_PUBLIC_URL", "https://learn.example.test/"},
                                           {"LMS_MAIL_FROM", "LMS Test <no-reply@lms.test>"},
                                           {"LMS_MAIL_RETRY_BASE_MS", "20"}});
}

TEST(Mailer, WelcomeAndResetOverStartTlsWithAuthOnceAcrossRestartsAndRedeliveries) {
    test::TestDatabase db;
    TempDir tmp;
    // A self-signed certificate for 127.0.0.1, trusted through LMS_SMTP_CA_FILE: the mailer
    // verifies the server's certificate and name.
    const auto cert = tmp.path / "cert.pem", key = tmp.path / "key.pem";
    ASSERT_NO_FATAL_FAILURE(selfSignedCertificate(cert, key));
    SmtpSink sink(tmp.path / "received",
                  {"--cert", cert.string(), "--key", key.string(), "--user", "mailer", "--password", "p@ss word:1"});
    test::Process broker({test::lmsBinary(), "dev-kafka"}, {});
    const std::string brokers = broker.readLine(seconds(30));

    auto env = baseEnv(db, tmp.path / "data");
    env.insert({{"LMS_KAFKA_BROKERS", brokers},
                {"LMS_KAFKA_TOPIC_PREFIX", "mailit"},
                {"LMS_SMTP_HOST", "127.0.0.1"},
                {"LMS_SMTP_PORT", std::to_string(sink.port())},
                {"LMS_SMTP_STARTTLS", "1"},
                {"LMS_SMTP_USER", "mailer"},
                {"LMS_SMTP_PASSWORD", "p@ss word:1"},
                {"LMS_SMTP_CA_FILE", cert.string()}});

    pg::Connection c(db.url());
    const std::string ada = registerUser(c, "Ada@Example.com", "Zoë <b>&", "Lovelace");
    const std::string welcomeAda = lastEventId(c, "user-" + ada, "UserRegistered");
    std::string resetId, staleResetId;
    const std::string reset = requestReset(c, ada, nowUs() + 3600LL * 1000000, resetId);
    const std::string staleReset = requestReset(c, ada, nowUs() - 1000000, staleResetId);
    // Eve registers, then is erased (her key shredded) before the mailer gets to her.
    const std::string eve = registerUser(c, "eve@example.com", "Eve", "Gone");
    const std::string welcomeEve = lastEventId(c, "user-" + eve, "UserRegistered");
    eraseUser(c, eve);

    auto server = std::make_unique<Server>(env);
    ASSERT_TRUE(test::eventually(
        [&] { return count(c, "SELECT count(*) FROM lms_events WHERE stream_id LIKE 'mail-%'") == 4; }, seconds(90)))
        << "four mail outcomes";
    EXPECT_EQ(outcome(c, welcomeAda).first, "MailSent");
    EXPECT_EQ(outcome(c, welcomeAda).second["messageId"], "<" + welcomeAda + "@lms>");
    EXPECT_EQ(outcome(c, welcomeAda).second["template"], "welcome");
    EXPECT_EQ(outcome(c, reset).first, "MailSent");
    EXPECT_EQ(outcome(c, reset).second["template"], "password-reset");
    EXPECT_EQ(outcome(c, staleReset).first, "MailSkipped");
    EXPECT_EQ(outcome(c, staleReset).second["reason"], "expired");
    EXPECT_EQ(outcome(c, welcomeEve).first, "MailSkipped");
    EXPECT_EQ(outcome(c, welcomeEve).second["reason"], "erased");
    const auto mailEvents = c.exec(
                                 "SELECT string_agg(data::text || metadata::text, ' ') FROM lms_events "
                                 "WHERE stream_id LIKE 'mail-%'")
                                .str(0, 0);
    for (const char* personal : {"ada@example.com", "Ada@Example.com", "Lovelace", "Zoë", "eve@example.com"}) {
        EXPECT_EQ(mailEvents.find(personal), std::string::npos) << personal << " in clear in " << mailEvents;
    }

    ASSERT_TRUE(test::eventually([&] { return sink.messages().size() >= 2; }, seconds(30))) << "two messages";
    const auto received = sink.messages();
    ASSERT_EQ(received.size(), 2u);
    const json* welcome = sink.byMessageId(received, welcomeAda);
    const json* resetMail = sink.byMessageId(received, reset);
    ASSERT_NE(welcome, nullptr);
    ASSERT_NE(resetMail, nullptr);
    for (const json* m : {welcome, resetMail}) {
        EXPECT_EQ((*m)["envelope"]["to"], json::array({"ada@example.com"}));
        EXPECT_EQ((*m)["envelope"]["from"], "no-reply@lms.test");
        EXPECT_EQ((*m)["envelope"]["tls"], true) << "sent after STARTTLS";
        EXPECT_EQ((*m)["envelope"]["login"], "mailer") << "sent after AUTH LOGIN";
        EXPECT_EQ((*m)["headers"]["From"], "LMS Test <no-reply@lms.test>");
        EXPECT_EQ((*m)["headers"]["To"], "\"Zoë <b>& Lovelace\" <ada@example.com>");
        EXPECT_EQ((*m)["headers"]["Auto-Submitted"], "auto-generated");
        EXPECT_EQ((*m)["contentType"], "multipart/alternative");
        EXPECT_EQ((*m)["defects"], json::array()) << m->dump(1);
        EXPECT_TRUE((*m)["crlfOnly"].get<bool>());
        ASSERT_EQ((*m)["parts"].size(), 2u);
        EXPECT_EQ((*m)["parts"][0]["contentType"], "text/plain");
        EXPECT_EQ((*m)["parts"][0]["charset"], "utf-8");
        EXPECT_EQ((*m)["parts"][1]["contentType"], "text/html");
        const std::string text = (*m)["parts"][0]["content"], html = (*m)["parts"][1]["content"];
        EXPECT_NE(text.find("Hello Zoë <b>&,"), std::string::npos) << text;
        EXPECT_NE(html.find("Hello Zoë &lt;b&gt;&amp;,"), std::string::npos) << "escaped in HTML:\n" << html;
        EXPECT_EQ(html.find("<b>&"), std::string::npos) << html;
    }
    EXPECT_EQ((*welcome)["headers"]["Subject"], "Welcome to LMS, Zoë <b>&");
    EXPECT_EQ((*resetMail)["headers"]["Subject"], "Reset your LMS password");

    // The link carries the token derived from the server's secret, whose sha256 is the event's.
    const std::string text = (*resetMail)["parts"][0]["content"], html = (*resetMail)["parts"][1]["content"];
    std::smatch link;
    ASSERT_TRUE(std::regex_search(text, link,
                                  std::regex(R"(https://learn\.example\.test/reset-password\?token=([A-Za-z0-9_-]+))")))
        << text;
    const std::string token = link[1];
    EXPECT_EQ(token, deriveToken(kSecret, "password-reset", resetId));
    json stored;
    for (const auto& e : eventstore::EventStore(c).readStream("user-" + ada)) {
        if (e.eventId == reset) stored = json::parse(e.data);
    }
    EXPECT_EQ(toHex(sha256(token)), stored["tokenHash"].get<std::string>());
    EXPECT_NE(html.find("href=\"https://learn.example.test/reset-password?token=" + token + "\""), std::string::npos)
        << html;

    // Ctrl-C stops the worker promptly (the debug build runs under sanitizers).
    EXPECT_LT(server->interrupt(), std::chrono::milliseconds(5000));
    server.reset();

    // The relay publishes everything again, as it would after a crash (at least once): the mailer
    // resumes after its committed offsets, meets every trigger a second time, and skips them all.
    c.exec("UPDATE lms_checkpoints SET tx_id = '0'::xid8, position = 0 WHERE name = 'relay'");
    server = std::make_unique<Server>(env);
    const std::string grace = registerUser(c, "grace@example.com", "Grace", "Hopper");
    const std::string welcomeGrace = lastEventId(c, "user-" + grace, "UserRegistered");
    ASSERT_TRUE(test::eventually([&] { return outcome(c, welcomeGrace).first == "MailSent"; }, seconds(90)))
        << "the welcome mail of a user registered after the restart";
    // The relay publishes in the store's order and grace's registration came last: with its mail
    // sent, the topic holds everything it will hold. Every trigger is on it twice now.
    const std::string topic = "mailit.identity";
    std::map<std::string, int> copies;
    for (const auto& m : test::readToEnd(brokers, {topic}, seconds(30))) {
        ++copies[json::parse(m.value)["eventId"].get<std::string>()];
    }
    EXPECT_EQ(copies[welcomeAda], 2);
    EXPECT_EQ(copies[reset], 2);
    // No duplicate is still in flight once the mailer's group has committed past the end of the
    // topic: it commits a message only after handling it (and after mailing it, if it had to).
    const auto ends = test::endOffsets(brokers, topic);
    ASSERT_TRUE(test::eventually([&] { return test::committedUpTo(brokers, mailer::kConsumerGroup, topic, ends); },
                                 seconds(30), std::chrono::milliseconds(100)))
        << "the mailer did not get through the redelivered triggers";
    const auto after = sink.messages();
    EXPECT_EQ(after.size(), 3u) << "neither the restart nor the redelivery sent a mail twice";
    EXPECT_NE(sink.byMessageId(after, welcomeGrace), nullptr);
    EXPECT_EQ(count(c, "SELECT count(*) FROM lms_events WHERE event_type = 'MailSent'"), 3);
    EXPECT_LT(server->interrupt(), std::chrono::milliseconds(5000));
}

TEST(Mailer, DeadLettersTheTriggerAfterTheLastAttemptWhenSmtpIsDownAndLmsDlqReDrivesItOnce) {
    test::TestDatabase db;
    TempDir tmp;
    auto env = baseEnv(db, tmp.path);
    env.insert({{"LMS_KAFKA_TOPIC_PREFIX", "mailfail"},
                {"LMS_SMTP_HOST", "127.0.0.1"},
                {"LMS_SMTP_PORT", std::to_string(closedPort())},
                {"LMS_SMTP_STARTTLS", "0"},
                {"LMS_MAIL_MAX_ATTEMPTS", "3"}});
    pg::Connection c(db.url());
    const std::string user = registerUser(c, "lin@example.com", "Lin", "Down");
    const std::string trigger = lastEventId(c, "user-" + user, "UserRegistered");

    test::Process serve({test::lmsBinary(), "serve", "--only", "relay,workers"}, env);
    const auto kafkaLine = serve.waitForLine("kafka: embedded mock cluster at", seconds(60));
    const std::string brokers = kafkaLine.substr(kafkaLine.find(" at ") + 4,
                                                 kafkaLine.find("  (") - kafkaLine.find(" at ") - 4);
    serve.waitForLine("lms: serving", seconds(60));

    ASSERT_TRUE(test::eventually([&] { return !outcome(c, trigger).first.empty(); }, seconds(90)))
        << "the mail's outcome";
    const auto [type, data] = outcome(c, trigger);
    EXPECT_EQ(type, "MailFailed");
    EXPECT_EQ(data["attempts"], 3);
    EXPECT_EQ(data["template"], "welcome");
    EXPECT_NE(data["error"].get<std::string>().find("127.0.0.1"), std::string::npos) << data.dump();
    EXPECT_EQ(data.dump().find("lin@example.com"), std::string::npos);

    bool found = false;
    {
        kafka::Consumer dlq(brokers, "mailer-it-dlq", {"mailfail.mail.dlq"}, {}, kafka::Consumer::Mode::AssignFromStart);
        kafka::IncomingMessage m;
        const auto deadline = std::chrono::steady_clock::now() + seconds(30);
        while (!found && std::chrono::steady_clock::now() < deadline) {
            if (!dlq.poll(m, std::chrono::milliseconds(200))) continue;
            const auto envelope = json::parse(m.value);
            if (envelope["eventId"] != trigger) continue;
            found = true;
            EXPECT_EQ(envelope["type"], "UserRegistered") << "the original envelope, unchanged";
            EXPECT_EQ(m.key, "user-" + user);
            EXPECT_EQ(m.headers["lms.event_id"], trigger);
            EXPECT_EQ(m.headers["lms.dlq.attempts"], "3");
            EXPECT_FALSE(m.headers["lms.dlq.error"].empty());
            EXPECT_EQ(m.headers["lms.dlq.error"], data["error"].get<std::string>());
        }
    }  // the consumer goes before the broker does
    EXPECT_TRUE(found) << "the trigger is on mailfail.mail.dlq";

    // `lms dlq`: listed, then re-driven once the SMTP server is up, and mailed.
    const auto lms = [&](std::vector<std::string> args) {
        args.insert(args.begin(), test::lmsBinary());
        test::Process p(args, env, true);
        std::string out;
        try {
            for (;;) out += p.readLine(seconds(60)) + "\n";
        } catch (const std::exception&) {
        }
        EXPECT_EQ(p.wait(), 0) << out;
        return out;
    };
    auto listed = lms({"dlq", "list", "--brokers", brokers});
    EXPECT_NE(listed.find("UserRegistered " + trigger), std::string::npos) << listed;
    EXPECT_NE(listed.find("3 attempts"), std::string::npos) << listed;
    EXPECT_EQ(listed.find("[retried"), std::string::npos) << listed;
    SmtpSink sink(tmp.path / "received", {"--port", env.at("LMS_SMTP_PORT")});
    const auto retried = lms({"dlq", "retry", "--all", "--brokers", brokers});
    EXPECT_NE(retried.find("1 dead letter(s) sent back"), std::string::npos) << retried;
    ASSERT_TRUE(test::eventually([&] { return sink.byMessageId(sink.messages(), trigger) != nullptr; }, seconds(60)))
        << "the re-driven welcome mail";
    ASSERT_TRUE(test::eventually(
        [&] { return eventstore::EventStore(c).readStream("mail-" + trigger).back().type == "MailSent"; }, seconds(30)));
    std::vector<std::string> types;
    for (const auto& e : eventstore::EventStore(c).readStream("mail-" + trigger)) types.push_back(e.type);
    EXPECT_EQ(types, (std::vector<std::string>{"MailFailed", "MailRetryRequested", "MailSent"}));
    EXPECT_NE(lms({"dlq", "list", "--brokers", brokers}).find("[retried"), std::string::npos);
    // Once only: a second retry sends nothing.
    EXPECT_NE(lms({"dlq", "retry", "--all", "--brokers", brokers}).find("0 dead letter(s) sent back"),
              std::string::npos);
    EXPECT_EQ(sink.messages().size(), 1u);
    serve.kill(SIGINT);
    EXPECT_EQ(serve.wait(), 0);
}

TEST(Mailer, RefusesAnSmtpServerWhoseCertificateItCannotVerify) {
    test::TestDatabase db;
    TempDir tmp;
    const auto cert = tmp.path / "cert.pem", key = tmp.path / "key.pem";
    ASSERT_NO_FATAL_FAILURE(selfSignedCertificate(cert, key));
    SmtpSink sink(tmp.path / "received", {"--cert", cert.string(), "--key", key.string()});
    auto env = baseEnv(db, tmp.path / "data");
    env.insert({{"LMS_SMTP_HOST", "127.0.0.1"},
                {"LMS_SMTP_PORT", std::to_string(sink.port())},
                {"LMS_SMTP_STARTTLS", "1"},
                {"LMS_MAIL_MAX_ATTEMPTS", "1"}});  // and no LMS_SMTP_CA_FILE: the certificate is unknown
    pg::Connection c(db.url());
    const std::string user = registerUser(c, "mo@example.com", "Mo", "Tls");
    const std::string trigger = lastEventId(c, "user-" + user, "UserRegistered");
    Server server(env);
    ASSERT_TRUE(test::eventually([&] { return !outcome(c, trigger).first.empty(); }, seconds(90)))
        << "the mail's outcome";
    const auto [type, data] = outcome(c, trigger);
    EXPECT_EQ(type, "MailFailed");
    EXPECT_NE(data["error"].get<std::string>().find("certificate verify failed"), std::string::npos) << data.dump();
    EXPECT_TRUE(sink.messages().empty());
    server.interrupt();
}

TEST(Mailer, WithoutAnSmtpHostEachMailIsAnEmlFileInTheOutbox) {
    test::TestDatabase db;
    TempDir tmp;
    auto env = baseEnv(db, tmp.path);
    pg::Connection c(db.url());
    const std::string user = registerUser(c, "kim@example.com", "Kim", "Outbox");
    const std::string trigger = lastEventId(c, "user-" + user, "UserRegistered");
    Server server(env);
    const auto eml = tmp.path / "outbox" / (trigger + ".eml");
    ASSERT_TRUE(test::eventually([&] { return fs::exists(eml); }, seconds(90))) << eml.string();
    ASSERT_TRUE(test::eventually([&] { return outcome(c, trigger).first == "MailSent"; }, seconds(30))) << "MailSent";
    for (const auto& e : fs::directory_iterator(tmp.path / "outbox")) {
        EXPECT_EQ(e.path().extension(), ".eml") << "no temporary file is left behind: " << e.path();
    }

    auto [status, out] = run({kPython, kSink, "--parse", eml.string()});
    ASSERT_EQ(status, 0) << out;
    const auto parsed = json::parse(out);
    EXPECT_EQ(parsed["defects"], json::array()) << out;
    EXPECT_TRUE(parsed["crlfOnly"].get<bool>());
    EXPECT_EQ(parsed["headers"]["To"], "Kim Outbox <kim@example.com>");
    EXPECT_EQ(parsed["headers"]["From"], "LMS Test <no-reply@lms.test>");
    EXPECT_EQ(parsed["headers"]["Message-ID"], "<" + trigger + "@lms>");
    EXPECT_EQ(parsed["headers"]["Subject"], "Welcome to LMS, Kim");
    EXPECT_FALSE(parsed["headers"].value("Date", "").empty());
    EXPECT_EQ(parsed["contentType"], "multipart/alternative");
    ASSERT_EQ(parsed["parts"].size(), 2u);
    EXPECT_NE(parsed["parts"][0]["content"].get<std::string>().find("Hello Kim,"), std::string::npos);
    EXPECT_NE(parsed["parts"][1]["content"].get<std::string>().find("<p>Hello Kim,</p>"), std::string::npos);
    EXPECT_LT(server.interrupt(), std::chrono::milliseconds(5000));
}

TEST(Mailer, ErasureRemovesThePersonsOutboxFilesAndNoOneElses) {
    test::TestDatabase db;
    TempDir tmp;
    // A broker of its own, so that the topic and the mailer's offsets outlive a restart.
    test::Process broker({test::lmsBinary(), "dev-kafka"}, {});
    const std::string brokers = broker.readLine(seconds(30));
    auto env = baseEnv(db, tmp.path);
    env.insert({{"LMS_KAFKA_BROKERS", brokers}, {"LMS_KAFKA_TOPIC_PREFIX", "mailerase"}});
    env["LMS_LOG_LEVEL"] = "info";  // the removal's log line is what the test waits for
    const auto outbox = tmp.path / "outbox";
    auto eml = [&](const std::string& trigger) { return outbox / (trigger + ".eml"); };
    auto outboxFiles = [&] {
        std::set<std::string> names;
        for (const auto& e : fs::directory_iterator(outbox)) names.insert(e.path().filename().string());
        return names;
    };

    pg::Connection c(db.url());
    const std::string kim = registerUser(c, "kim@example.com", "Kim", "Gone");
    const std::string lee = registerUser(c, "lee@example.com", "Lee", "Stays");
    const std::string welcomeKim = lastEventId(c, "user-" + kim, "UserRegistered");
    const std::string welcomeLee = lastEventId(c, "user-" + lee, "UserRegistered");

    auto server = std::make_unique<Server>(env, true);
    ASSERT_TRUE(test::eventually([&] { return fs::exists(eml(welcomeKim)) && fs::exists(eml(welcomeLee)); }, seconds(90)))
        << "both welcome mails";
    std::string resetId;
    const std::string resetKim = requestReset(c, kim, nowUs() + 3600LL * 1000000, resetId);
    ASSERT_TRUE(test::eventually([&] { return fs::exists(eml(resetKim)); }, seconds(90))) << "the reset mail";
    // What a crash in the middle of rewriting a message leaves: half of it under the temporary name.
    const auto temp = outbox / ("." + welcomeKim + ".eml.tmp");
    std::ofstream(temp) << "From: LMS Test <no-reply@lms.test>\r\nTo: Kim Gone <kim@";
    ASSERT_TRUE(fs::exists(temp));

    eraseUser(c, kim);
    ASSERT_TRUE(test::eventually(
        [&] { return !fs::exists(eml(welcomeKim)) && !fs::exists(eml(resetKim)) && !fs::exists(temp); }, seconds(90)))
        << "Kim's mail is still in the outbox after her erasure";
    EXPECT_TRUE(server->logs("mailer: removed 2 outbox message(s) of erased user " + kim));
    EXPECT_EQ(outboxFiles(), std::set<std::string>{welcomeLee + ".eml"}) << "Lee's mail stays, and only it";
    EXPECT_LT(server->interrupt(), std::chrono::milliseconds(5000));
    server.reset();

    // The relay publishes everything again (at least once): Kim's triggers, already handled, write
    // nothing back, and the second erasure finds nothing left to remove.
    c.exec("UPDATE lms_checkpoints SET tx_id = '0'::xid8, position = 0 WHERE name = 'relay'");
    server = std::make_unique<Server>(env, true);
    EXPECT_TRUE(server->logs("mailer: removed 0 outbox message(s) of erased user " + kim)) << "the redelivered erasure";
    EXPECT_EQ(outboxFiles(), std::set<std::string>{welcomeLee + ".eml"});
    EXPECT_LT(server->interrupt(), std::chrono::milliseconds(5000));
}

TEST(Mailer, TellsTheInstructorWhetherTheirCourseIsApprovedOrRejectedOnce) {
    test::TestDatabase db;
    TempDir tmp;
    // A broker of its own: the test publishes the course events to <prefix>.catalog itself
    // (publishToCatalogTopic) and reads the mailer's offsets there.
    test::Process broker({test::lmsBinary(), "dev-kafka"}, {});
    const std::string brokers = broker.readLine(seconds(30));
    const std::string prefix = "mailcourse";
    auto env = baseEnv(db, tmp.path);
    env.insert({{"LMS_KAFKA_BROKERS", brokers}, {"LMS_KAFKA_TOPIC_PREFIX", prefix}});
    env["LMS_LOG_LEVEL"] = "info";  // the erasure's log line is what the test waits for last
    auto eml = [&](const std::string& trigger) { return tmp.path / "outbox" / (trigger + ".eml"); };
    auto parse = [&](const std::string& trigger) {
        auto [status, out] = run({kPython, kSink, "--parse", eml(trigger).string()});
        EXPECT_EQ(status, 0) << out;
        return json::parse(out);
    };

    pg::Connection c(db.url());
    const std::string grace = registerUser(c, "grace@example.com", "Grace", "Hopper");
    const std::string welcomeGrace = lastEventId(c, "user-" + grace, "UserRegistered");
    // Approved: created, renamed (the mail names the course as it is now), submitted, approved.
    const std::string approvedCourse = newUuid();
    const auto approvedIds =
        appendCourse(c, approvedCourse,
                     {{"CourseCreated", courseCreated(approvedCourse, grace, "A first title")},
                      {"CourseUpdated", {{"title", "Rust & <Friends>"}, {"slug", "rust-friends"}, {"at", nowUs()}}},
                      {"CourseSubmitted", {{"at", nowUs()}}},
                      {"CourseApproved", {{"at", nowUs()}}}});
    const std::string& approved = approvedIds.back();
    // Rejected, with a reason that holds markup.
    const std::string rejectedCourse = newUuid();
    const std::string reason = "The <b>videos</b> of section 2 are missing & the quiz is empty.";
    const auto rejectedIds = appendCourse(c, rejectedCourse,
                                          {{"CourseCreated", courseCreated(rejectedCourse, grace, "Go in a week")},
                                           {"CourseSubmitted", {{"at", nowUs()}}},
                                           {"CourseRejected", {{"reason", reason}, {"at", nowUs()}}}});
    const std::string& rejected = rejectedIds.back();
    // An instructor erased before their course was approved: nobody to tell.
    const std::string eve = registerUser(c, "eve@example.com", "Eve", "Gone");
    const std::string eveCourse = newUuid();
    const std::string approvedEve = appendCourse(c, eveCourse,
                                                 {{"CourseCreated", courseCreated(eveCourse, eve, "Gone Course")},
                                                  {"CourseSubmitted", {{"at", nowUs()}}},
                                                  {"CourseApproved", {{"at", nowUs()}}}})
                                        .back();
    eraseUser(c, eve);
    const std::vector<std::string> courseStreams{"course-" + approvedCourse, "course-" + rejectedCourse,
                                                 "course-" + eveCourse};

    auto server = std::make_unique<Server>(env, true);
    ASSERT_NO_FATAL_FAILURE(publishToCatalogTopic(c, brokers, prefix, courseStreams));
    ASSERT_TRUE(test::eventually(
        [&] {
            return !outcome(c, approved).first.empty() && !outcome(c, rejected).first.empty() &&
                   !outcome(c, approvedEve).first.empty() && !outcome(c, welcomeGrace).first.empty();
        },
        seconds(90)))
        << "the outcomes of the course mails";
    EXPECT_EQ(outcome(c, approved).first, "MailSent");
    EXPECT_EQ(outcome(c, approved).second["template"], "course-approved");
    EXPECT_EQ(outcome(c, approved).second["messageId"], "<" + approved + "@lms>");
    EXPECT_EQ(outcome(c, rejected).first, "MailSent");
    EXPECT_EQ(outcome(c, rejected).second["template"], "course-rejected");
    EXPECT_EQ(outcome(c, approvedEve).first, "MailSkipped");
    EXPECT_EQ(outcome(c, approvedEve).second["reason"], "erased");
    for (const auto& id : approvedIds) {
        if (id == approved) continue;
        EXPECT_TRUE(outcome(c, id).first.empty()) << "only the approval mails";
    }

    const std::string link = "https://learn.example.test/courses/" + approvedCourse;
    const json a = parse(approved);
    EXPECT_EQ(a["defects"], json::array()) << a.dump(1);
    EXPECT_EQ(a["headers"]["To"], "Grace Hopper <grace@example.com>");
    EXPECT_EQ(a["headers"]["Message-ID"], "<" + approved + "@lms>");
    EXPECT_EQ(a["headers"]["Subject"], "Your course Rust & <Friends> is published");
    ASSERT_EQ(a["parts"].size(), 2u);
    const std::string aText = a["parts"][0]["content"], aHtml = a["parts"][1]["content"];
    EXPECT_NE(aText.find("Hello Grace,"), std::string::npos) << aText;
    EXPECT_NE(aText.find("\"Rust & <Friends>\""), std::string::npos) << aText;
    EXPECT_NE(aText.find(link), std::string::npos) << aText;
    EXPECT_NE(aHtml.find("<strong>Rust &amp; &lt;Friends&gt;</strong>"), std::string::npos) << aHtml;
    EXPECT_NE(aHtml.find("href=\"" + link + "\""), std::string::npos) << aHtml;

    const std::string editLink = "https://learn.example.test/courses/" + rejectedCourse + "/edit";
    const json r = parse(rejected);
    EXPECT_EQ(r["defects"], json::array()) << r.dump(1);
    EXPECT_EQ(r["headers"]["To"], "Grace Hopper <grace@example.com>");
    EXPECT_EQ(r["headers"]["Subject"], "Your course Go in a week was not approved");
    ASSERT_EQ(r["parts"].size(), 2u);
    const std::string rText = r["parts"][0]["content"], rHtml = r["parts"][1]["content"];
    EXPECT_NE(rText.find(reason), std::string::npos) << "the reason as the reviewer wrote it:\n" << rText;
    EXPECT_NE(rText.find(editLink), std::string::npos) << rText;
    EXPECT_NE(rHtml.find("The &lt;b&gt;videos&lt;/b&gt; of section 2 are missing &amp; the quiz is empty."),
              std::string::npos)
        << rHtml;
    EXPECT_EQ(rHtml.find("<b>videos"), std::string::npos) << "escaped in HTML:\n" << rHtml;
    EXPECT_NE(rHtml.find("href=\"" + editLink + "\""), std::string::npos) << rHtml;
    EXPECT_FALSE(fs::exists(eml(approvedEve)));
    const auto mailEvents = c.exec(
                                 "SELECT string_agg(data::text || metadata::text, ' ') FROM lms_events "
                                 "WHERE stream_id LIKE 'mail-%'")
                                .str(0, 0);
    for (const char* personal : {"grace@example.com", "Hopper", "eve@example.com"}) {
        EXPECT_EQ(mailEvents.find(personal), std::string::npos) << personal << " in clear in " << mailEvents;
    }

    // Delivered again (at least once): the mailer meets both triggers a second time and mails
    // neither again.
    const auto writtenAt = fs::last_write_time(eml(approved));
    ASSERT_NO_FATAL_FAILURE(publishToCatalogTopic(c, brokers, prefix, courseStreams));
    const std::string topic = prefix + ".catalog";
    const auto ends = test::endOffsets(brokers, topic);
    ASSERT_TRUE(test::eventually([&] { return test::committedUpTo(brokers, mailer::kConsumerGroup, topic, ends); },
                                 seconds(60), std::chrono::milliseconds(100)))
        << "the mailer did not get through the redelivered course events";
    EXPECT_EQ(fs::last_write_time(eml(approved)), writtenAt) << "the approval was not mailed again";
    EXPECT_EQ(count(c, "SELECT count(*) FROM lms_events WHERE event_type = 'MailSent'"), 3)
        << "Grace's welcome and her two course mails, once each";
    EXPECT_EQ(count(c, "SELECT count(*) FROM lms_events WHERE stream_id = 'mail-" + approved + "'"), 1);

    // Grace's erasure takes the mails about her courses out of the outbox with her welcome.
    eraseUser(c, grace);
    EXPECT_TRUE(server->logs("mailer: removed 3 outbox message(s) of erased user " + grace));
    EXPECT_FALSE(fs::exists(eml(welcomeGrace)));
    EXPECT_FALSE(fs::exists(eml(approved)));
    EXPECT_FALSE(fs::exists(eml(rejected)));
    EXPECT_LT(server->interrupt(), std::chrono::milliseconds(5000));
}

}  // namespace
}  // namespace lms
