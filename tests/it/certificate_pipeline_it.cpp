// The whole certificate path against real parts: `lms serve` (API, projections, relay) with its
// embedded Kafka-protocol cluster, the workers in a process of their own, PostgreSQL, s3rver (an
// S3-compatible server) and aiosmtpd (an SMTP server). For a Latin, an Arabic and a Chinese
// name: enroll, complete every lecture, then within a bounded wait the PDF is in the bucket, its
// sha256 is what verification says, the signature verifies with OpenSSL, the mail with the links
// arrived and pdftotext finds the name and the course in the PDF. The workers are killed (-9)
// once mid-pipeline: every certificate still arrives exactly once. Then a reissue (a new PDF,
// the old digest superseded), an erasure (the certificate still verifies, without a name) and a
// dead letter of the certificate worker re-driven by `lms dlq retry`, once.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/ids.hpp"
#include "common/jwt.hpp"
#include "common/sha256.hpp"
#include "domain/certificates/certificate.hpp"
#include "tests/support/courses.hpp"
#include "tests/support/ed25519_cli.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/kafka_offsets.hpp"
#include "tests/support/lms_server.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/s3rver.hpp"
#include "tests/support/smtp_sink.hpp"
#include "tests/support/wait.hpp"

namespace lms {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::seconds;
using test::call;

const std::string kSecret = "certificate-pipeline-it-secret-0123456789abcdef";

struct Student {
    std::string first, last, expected;  // the name as the certificate shows it
};

// pdftotext's output for the PDF (poppler-utils).
std::string pdfText(const std::string& pdf) {
    const fs::path dir = fs::temp_directory_path() / ("lms-pdf-" + newUuid().substr(24));
    fs::create_directories(dir);
    std::ofstream(dir / "c.pdf", std::ios::binary) << pdf;
    test::Process p({"/usr/bin/pdftotext", "-enc", "UTF-8", (dir / "c.pdf").string(), "-"}, {}, false);
    std::string out;
    try {
        for (;;) out += p.readLine(seconds(30)) + "\n";
    } catch (const std::exception&) {
    }
    p.wait();
    fs::remove_all(dir);
    return out;
}

// The workers: mailer, payments, certificates, against the first process's Kafka cluster.
std::unique_ptr<test::Process> startWorkers(const test::LmsServer& server) {
    auto env = server.env();
    env["LMS_KAFKA_BROKERS"] = server.brokers();
    auto p = std::make_unique<test::Process>(std::vector<std::string>{test::lmsBinary(), "serve", "--only", "workers"},
                                             env);
    p->waitForLine("lms: serving", seconds(60));
    return p;
}

std::int64_t count(pg::Connection& c, const std::string& type, const std::string& stream) {
    return c.query("SELECT count(*) FROM lms_events WHERE event_type = $1 AND stream_id = $2", {type, stream}).i64(0, 0);
}

// The real parts every test here starts: a database, s3rver, an SMTP server writing to a
// scratch folder (removed at the end), and the environment of a server that uses them.
struct Parts {
    test::TestDatabase db;
    test::S3rver s3{LMS_TESTS_S3_DIR};
    fs::path scratch = fs::temp_directory_path() / ("lms-pipeline-" + newUuid().substr(24));
    test::SmtpSink sink{LMS_TESTS_IT_DIR "/smtp_sink.py", scratch / "mail"};
    ~Parts() {
        std::error_code ec;
        fs::remove_all(scratch, ec);
    }
    // Certificates go to the bucket, mail to the sink, retries come quickly.
    std::map<std::string, std::string> env(const std::string& bucket) const {
        return {{"LMS_SMTP_HOST", "127.0.0.1"},
                {"LMS_SMTP_PORT", std::to_string(sink.port())},
                {"LMS_SMTP_STARTTLS", "0"},
                {"LMS_MAIL_RETRY_BASE_MS", "100"},
                {"LMS_CERTIFICATE_RETRY_BASE_MS", "100"},
                {"LMS_S3_ENDPOINT", s3.endpoint()},
                {"LMS_S3_BUCKET", bucket},
                {"LMS_S3_ACCESS_KEY_ID", "S3RVER"},
                {"LMS_S3_SECRET_ACCESS_KEY", "S3RVER"},
                {"LMS_S3_PATH_STYLE", "1"}};
    }
};

TEST(CertificatePipeline, EveryCompletedCourseEndsInOneStoredSignedMailedPdfDespiteACrash) {
    Parts parts;
    auto& db = parts.db;
    auto& s3 = parts.s3;
    auto& sink = parts.sink;
    const auto env = parts.env("certs");
    test::LmsServer server(db.url(), kSecret, env, {"--only", "api,projections,relay"});
    const int port = server.port();
    auto workers = startWorkers(server);

    const auto owner = test::signUp(port, "owner", "INSTRUCTOR", "Olga", "Owner");
    const auto admin = test::signUpAdmin(port, db.url(), kSecret);
    const std::string title = "Datenbanken für alle " + newUuid().substr(30);
    const auto course = test::publishedCourse(port, owner, admin, title, 0);
    const std::string courseId = course["id"];
    const std::string lecture = course["sections"][0]["lectures"][0]["id"];

    const std::vector<Student> students{{"Zoë", "Ångström-Núñez", "Zoë Ångström-Núñez"},
                                        {"محمد", "عبد الله", "محمد عبد الله"},
                                        {"小龍", "李", "小龍 李"}};
    std::vector<std::string> certIds;
    pg::Connection c(db.url());
    for (std::size_t i = 0; i < students.size(); ++i) {
        const auto& s = students[i];
        const auto who = test::signUp(port, "student", "STUDENT", s.first, s.last);
        ASSERT_EQ(call(port, "POST", "/api/v1/courses/" + courseId + "/enroll", std::nullopt, who).status, 201);
        auto done = call(port, "POST", "/api/v1/progress/courses/" + courseId + "/lectures/" + lecture + "/complete",
                         std::nullopt, who);
        ASSERT_EQ(done.status, 200) << done.raw;
        ASSERT_TRUE(done.body["certificateId"].is_string()) << done.raw;
        certIds.push_back(done.body["certificateId"]);
        if (i == 0) {
            // Kill the workers as soon as the first certificate is being worked on, then start them again.
            const auto stream = "certificate-" + certIds[0];
            const auto until = std::chrono::steady_clock::now() + seconds(60);
            while (count(c, "CertificateRendered", stream) == 0 && std::chrono::steady_clock::now() < until)
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            workers->kill(SIGKILL);
            workers->wait();
            workers = startWorkers(server);
        }
    }

    const auto key = call(port, "GET", "/api/v1/certificates/public-key");
    ASSERT_EQ(key.status, 200);
    const auto pub = jwt::base64UrlDecode(key.body["x"].get<std::string>());
    ASSERT_TRUE(pub.has_value());
    for (std::size_t i = 0; i < certIds.size(); ++i) {
        const auto& certId = certIds[i];
        const auto stream = "certificate-" + certId;
        // Bounded: the PDF rendered, stored and mailed.
        json v;
        const auto until = std::chrono::steady_clock::now() + seconds(90);
        while (std::chrono::steady_clock::now() < until) {
            v = call(port, "GET", "/api/v1/certificates/" + certId).body;
            if (v["pdfUrl"].is_string() && count(c, "CertificateMailed", stream) == 1) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ASSERT_TRUE(v["pdfUrl"].is_string()) << certId << " was not stored in time: " << v.dump();
        EXPECT_EQ(v["student"]["name"], students[i].expected);
        // Exactly once, the crash notwithstanding.
        EXPECT_EQ(count(c, "CertificateRendered", stream), 1) << certId;
        EXPECT_EQ(count(c, "CertificateStored", stream), 1) << certId;
        EXPECT_EQ(count(c, "CertificateMailed", stream), 1) << certId;

        // The PDF from the bucket, by its presigned link: its digest is the one verification gives.
        const std::string url = v["pdfUrl"];
        ASSERT_EQ(url.rfind(s3.endpoint() + "/certs/certificates/", 0), 0u) << url;
        auto pdf = call(s3.port(), "GET", url.substr(s3.endpoint().size()));
        ASSERT_EQ(pdf.status, 200) << url;
        EXPECT_EQ(pdf.raw.rfind("%PDF-", 0), 0u);
        EXPECT_EQ(sha256Hex(pdf.raw), v["sha256"]);
        const auto text = pdfText(pdf.raw);
        EXPECT_NE(text.find(title), std::string::npos) << text;
        EXPECT_NE(text.find(certId), std::string::npos) << text;
        if (i == 0) {
            EXPECT_NE(text.find(students[i].expected), std::string::npos) << text;
        }
        // pdftotext gives Arabic in logical order between U+202B and U+202C: each word is there.
        for (const auto& word : {students[i].first, students[i].last}) {
            EXPECT_NE(text.find(word), std::string::npos) << word << " in " << text;
        }

        const auto sig = jwt::base64UrlDecode(v["signature"].get<std::string>());
        ASSERT_TRUE(sig.has_value());
        auto signedPart = v;
        for (const char* k : {"pdfUrl", "signature", "signatureKeyId"}) signedPart.erase(k);
        EXPECT_TRUE(test::opensslVerifiesEd25519(*pub, domain::certificates::canonicalJson(signedPart), *sig));
    }

    // One mail per certificate, with the verification link and the PDF's link.
    const auto mails = sink.messages();
    for (const auto& certId : certIds) {
        int found = 0;
        for (const auto& m : mails) {
            std::string body;
            for (const auto& part : m["parts"]) body += part.value("content", "");
            if (body.find(certId) == std::string::npos) continue;
            ++found;
            EXPECT_NE(body.find("/verify/" + certId), std::string::npos);
            EXPECT_NE(body.find(s3.endpoint() + "/certs/certificates/" + certId), std::string::npos);
        }
        EXPECT_EQ(found, 1) << certId;
    }
    workers->kill(SIGTERM);
    workers->wait();
}

// A student of a free one-lecture course completes it; returns the certificate's id.
std::string completeACourse(int port, const test::Headers& student, const test::Headers& owner,
                            const test::Headers& admin, const std::string& title) {
    const auto course = test::publishedCourse(port, owner, admin, title, 0);
    const std::string courseId = course["id"];
    const std::string lecture = course["sections"][0]["lectures"][0]["id"];
    EXPECT_EQ(call(port, "POST", "/api/v1/courses/" + courseId + "/enroll", std::nullopt, student).status, 201);
    auto done = call(port, "POST", "/api/v1/progress/courses/" + courseId + "/lectures/" + lecture + "/complete",
                     std::nullopt, student);
    EXPECT_EQ(done.status, 200) << done.raw;
    return done.body.value("certificateId", "");
}

// The verification once `ready` holds for it (bounded), or the last one seen.
json verificationWhen(int port, const std::string& certId, const std::function<bool(json)>& ready) {
    json v;
    const auto until = std::chrono::steady_clock::now() + seconds(90);
    while (std::chrono::steady_clock::now() < until) {
        v = call(port, "GET", "/api/v1/certificates/" + certId).body;
        if (ready(v)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return v;
}

bool signatureVerifies(int port, json v) {
    const auto key = call(port, "GET", "/api/v1/certificates/public-key");
    if (!key.body["x"].is_string() || !v["signature"].is_string()) return false;
    const auto pub = jwt::base64UrlDecode(key.body["x"].get<std::string>());
    const auto sig = jwt::base64UrlDecode(v["signature"].get<std::string>());
    if (!pub || !sig) return false;
    auto signedPart = v;
    for (const char* k : {"pdfUrl", "signature", "signatureKeyId"}) signedPart.erase(k);
    return test::opensslVerifiesEd25519(*pub, domain::certificates::canonicalJson(signedPart), *sig);
}

TEST(CertificatePipeline, AReissueIsANewPdfAndAnErasureDeletesThePdfsAndLeavesACertificateThatVerifiesWithoutAName) {
    Parts parts;
    auto& db = parts.db;
    auto& s3 = parts.s3;
    test::LmsServer server(db.url(), kSecret, parts.env("certs"));
    const int port = server.port();
    pg::Connection c(db.url());
    const auto owner = test::signUp(port, "owner", "INSTRUCTOR", "Olga", "Owner");
    const auto admin = test::signUpAdmin(port, db.url(), kSecret);
    const auto student = test::signUp(port, "student", "STUDENT", "Jose", "Garcia");
    const std::string title = "Reissues " + newUuid().substr(30);
    const std::string certId = completeACourse(port, student, owner, admin, title);
    ASSERT_FALSE(certId.empty());
    const auto stream = "certificate-" + certId;
    json first = verificationWhen(port, certId, [](json v) { return v["pdfUrl"].is_string(); });
    ASSERT_TRUE(first["pdfUrl"].is_string()) << first.dump();
    EXPECT_EQ(first["supersededSha256"], json::array());
    // (Mailed before the reissue: a revision replaced before its mail went out is not mailed.)
    ASSERT_TRUE(test::eventually([&] { return count(c, "CertificateMailed", stream) == 1; }, seconds(60)));

    // The student corrects their name; an admin reissues: a new PDF under the same id, with the
    // name as it is now, a new digest, and the old digest listed as superseded.
    auto renamed = call(port, "PATCH", "/api/v1/users/me", json{{"firstName", "José"}, {"lastName", "García"}}, student);
    ASSERT_EQ(renamed.status, 200) << renamed.raw;
    auto reissue = call(port, "POST", "/api/v1/admin/certificates/" + certId + "/reissue",
                        json{{"reason", "the student's name was corrected"}}, admin);
    ASSERT_EQ(reissue.status, 202) << reissue.raw;
    json second = verificationWhen(port, certId, [&](json v) {
        return v["sha256"].is_string() && v["sha256"] != first["sha256"] && v["pdfUrl"].is_string();
    });
    ASSERT_NE(second["sha256"], first["sha256"]) << second.dump();
    EXPECT_EQ(second["certId"], certId);
    EXPECT_EQ(second["student"]["name"], "José García");
    EXPECT_EQ(second["supersededSha256"], json::array({first["sha256"]}));
    EXPECT_NE(second["pdfUrl"], first["pdfUrl"]);
    EXPECT_TRUE(signatureVerifies(port, second));
    const std::string url = second["pdfUrl"];
    auto pdf = call(s3.port(), "GET", url.substr(s3.endpoint().size()));
    ASSERT_EQ(pdf.status, 200) << url;
    EXPECT_EQ(sha256Hex(pdf.raw), second["sha256"]);
    const auto text = pdfText(pdf.raw);
    EXPECT_NE(text.find("José García"), std::string::npos) << text;
    EXPECT_EQ(count(c, "CertificateRendered", stream), 2) << "one PDF per revision";
    EXPECT_EQ(count(c, "CertificateStored", stream), 2);
    ASSERT_TRUE(test::eventually([&] { return count(c, "CertificateMailed", stream) == 2; }, seconds(60)))
        << "each revision's PDF mailed once: "
        << c.query(
                "SELECT string_agg(event_type || ' ' || stream_id || ' ' || data::text, E'\\n') FROM lms_events "
                "WHERE stream_id = $1 OR stream_id LIKE 'mail-%'",
                {stream})
               .str(0, 0);

    // The student is erased: the certificate still verifies (the id, the course, the digest, the
    // signature), and says nothing about whose it was; the page says why.
    auto gone = call(port, "DELETE", "/api/v1/users/me", std::nullopt, student);
    ASSERT_EQ(gone.status, 204) << gone.raw;
    json erased = verificationWhen(port, certId, [](json v) { return v["student"]["name"].is_null(); });
    EXPECT_TRUE(erased["student"]["name"].is_null()) << erased.dump();
    EXPECT_EQ(erased["sha256"], second["sha256"]);
    EXPECT_EQ(erased["course"]["title"], title) << erased.dump();
    EXPECT_TRUE(signatureVerifies(port, erased));
    const auto page = call(port, "GET", "/verify/" + certId);
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.raw.find("José"), std::string::npos) << page.raw;
    EXPECT_NE(page.raw.find("(erased at the person&#39;s request)"), std::string::npos) << page.raw;
    // Both PDFs carried the name: deleted from the bucket, their links fetch nothing, and the
    // verification hands out no PDF (the digest still verifies a copy someone kept).
    ASSERT_TRUE(test::eventually([&] { return count(c, "CertificateFilesErased", stream) == 1; }, seconds(60)))
        << "the erased student's PDFs were not deleted";
    for (const auto& v : {first, second}) {
        const std::string link = v["pdfUrl"];
        EXPECT_EQ(call(s3.port(), "GET", link.substr(s3.endpoint().size())).status, 404) << link;
    }
    const json afterFiles = verificationWhen(port, certId,
                                             [](json v) { return v.contains("pdfUrl") && v["pdfUrl"].is_null(); });
    EXPECT_TRUE(afterFiles["pdfUrl"].is_null()) << afterFiles.dump();
    EXPECT_EQ(afterFiles["sha256"], second["sha256"]);
    EXPECT_TRUE(signatureVerifies(port, afterFiles));
    // A reissue now has no name to print: refused, and nothing is written.
    const auto before = count(c, "CertificateReissued", stream);
    reissue = call(port, "POST", "/api/v1/admin/certificates/" + certId + "/reissue", json{{"reason", "after erasure"}},
                   admin);
    EXPECT_EQ(reissue.status, 409) << reissue.raw;
    EXPECT_EQ(reissue.body["code"], "student_erased") << reissue.raw;
    EXPECT_EQ(count(c, "CertificateReissued", stream), before);
    const auto events = c.query("SELECT string_agg(data::text, ' ') FROM lms_events WHERE stream_id = $1", {stream});
    EXPECT_EQ(events.str(0, 0).find("Garc"), std::string::npos) << "the name is sealed, never in clear";
}

TEST(CertificatePipeline, ADeadLetterOfTheCertificateWorkerIsReDrivenOnceByLmsDlqRetry) {
    Parts parts;
    auto& db = parts.db;
    auto& s3 = parts.s3;
    // The bucket does not exist yet: every attempt to store fails, the last one dead-letters.
    auto late = parts.env("late");
    late["LMS_CERTIFICATE_MAX_ATTEMPTS"] = "2";
    test::LmsServer server(db.url(), kSecret, late);
    const int port = server.port();
    pg::Connection c(db.url());
    const auto owner = test::signUp(port, "owner", "INSTRUCTOR", "Olga", "Owner");
    const auto admin = test::signUpAdmin(port, db.url(), kSecret);
    const auto student = test::signUp(port, "student", "STUDENT", "Ada", "Lovelace");
    const std::string certId = completeACourse(port, student, owner, admin, "Dead letters " + newUuid().substr(30));
    ASSERT_FALSE(certId.empty());
    const auto stream = "certificate-" + certId;
    const std::string dlqTopic = "lms.certificates.dlq";
    const auto deadLetters = [&] {
        std::int64_t n = 0;
        for (const auto& [partition, end] : test::endOffsets(server.brokers(), dlqTopic)) n += end;
        return n;
    };
    ASSERT_TRUE(test::eventually([&] { return deadLetters() == 1; }, seconds(90)))
        << "the certificate was not dead-lettered";
    EXPECT_EQ(count(c, "CertificateStored", stream), 0);
    std::this_thread::sleep_for(seconds(1));
    EXPECT_EQ(deadLetters(), 1) << "one dead letter per failed trigger: the worker's own CertificateRendered is none";

    auto env = server.env();
    const std::vector<std::string> where{"--worker", "certificates", "--brokers", server.brokers()};
    auto withWhere = [&](std::vector<std::string> args) {
        args.insert(args.end(), where.begin(), where.end());
        return args;
    };
    auto [listed, list] = test::runLms(withWhere({"dlq", "list"}), env);
    ASSERT_EQ(listed, 0) << list;
    EXPECT_NE(list.find("  CertificateIssued "), std::string::npos) << list;
    EXPECT_EQ(list.rfind("lms.certificates.dlq/", 0), 0u) << list;
    EXPECT_NE(list.find("(lms-certificates, 2 attempts)"), std::string::npos) << list;
    EXPECT_NE(list.find("NoSuchBucket"), std::string::npos) << "the last error: " << list;
    EXPECT_NE(list.find("1 dead letter(s)"), std::string::npos) << list;

    // Storage is back; the dead letter is re-driven, once.
    ASSERT_EQ(call(s3.port(), "PUT", "/late", std::nullopt, {{"Content-Length", "0"}}).status, 200) << "the bucket made";
    auto [retried, retry] = test::runLms(withWhere({"dlq", "retry", "--all"}), env);
    ASSERT_EQ(retried, 0) << retry;
    EXPECT_NE(retry.find("1 dead letter(s) sent back"), std::string::npos) << retry;
    json v = verificationWhen(port, certId, [](json j) { return j["pdfUrl"].is_string(); });
    ASSERT_TRUE(v["pdfUrl"].is_string()) << v.dump();
    ASSERT_TRUE(test::eventually([&] { return count(c, "CertificateMailed", stream) == 1; }, seconds(60)));
    auto pdf = call(s3.port(), "GET", v["pdfUrl"].get<std::string>().substr(s3.endpoint().size()));
    ASSERT_EQ(pdf.status, 200);
    EXPECT_EQ(sha256Hex(pdf.raw), v["sha256"]);

    auto [again, second] = test::runLms(withWhere({"dlq", "retry", "--all"}), env);
    EXPECT_EQ(again, 0) << second;
    EXPECT_NE(second.find("0 dead letter(s) sent back"), std::string::npos) << second;
    auto [relisted, list2] = test::runLms(withWhere({"dlq", "list"}), env);
    EXPECT_NE(list2.find("[retried "), std::string::npos) << list2;
    std::this_thread::sleep_for(seconds(2));
    EXPECT_EQ(count(c, "CertificateRendered", stream), 1) << "the PDF rendered before storage failed counts";
    EXPECT_EQ(count(c, "CertificateStored", stream), 1);
    EXPECT_EQ(count(c, "CertificateMailed", stream), 1);

    // A message on the topic that is no event envelope is dead-lettered; the worker goes on.
    kafka::Producer producer(server.brokers());
    ASSERT_EQ(producer.sendAll({{"lms.certificates", "garbage", "not an envelope {", {}}}, seconds(10)), 0u);
    ASSERT_TRUE(test::eventually([&] { return deadLetters() == 2; }, seconds(60)))
        << "the garbage was not dead-lettered";
    const std::string next = completeACourse(port, test::signUp(port, "student", "STUDENT", "Grace", "Hopper"), owner,
                                             admin, "After garbage " + newUuid().substr(30));
    const json after = verificationWhen(port, next, [](json j) { return j["pdfUrl"].is_string(); });
    EXPECT_TRUE(after["pdfUrl"].is_string()) << "the worker stopped working after the garbage: " << after.dump();
}

}  // namespace
}  // namespace lms
