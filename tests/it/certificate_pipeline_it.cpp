// The whole certificate path against real parts: `lms serve` (API, projections, relay) with its
// embedded Kafka-protocol cluster, the workers in a process of their own, PostgreSQL, s3rver (an
// S3-compatible server) and aiosmtpd (an SMTP server). For a Latin, an Arabic and a Chinese
// name: enroll, complete every lecture, then within a bounded wait the PDF is in the bucket, its
// sha256 is what verification says, the signature verifies with OpenSSL, the mail with the links
// arrived and pdftotext finds the name and the course in the PDF. The workers are killed (-9)
// once mid-pipeline: every certificate still arrives exactly once.
#include <gtest/gtest.h>

#include <filesystem>
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
#include "tests/support/lms_server.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/s3rver.hpp"
#include "tests/support/smtp_sink.hpp"

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

TEST(CertificatePipeline, EveryCompletedCourseEndsInOneStoredSignedMailedPdfDespiteACrash) {
    test::TestDatabase db;
    test::S3rver s3(LMS_TESTS_S3_DIR);
    const fs::path scratch = fs::temp_directory_path() / ("lms-pipeline-" + newUuid().substr(24));
    test::SmtpSink sink(LMS_TESTS_IT_DIR "/smtp_sink.py", scratch / "mail");
    const std::map<std::string, std::string> env{{"LMS_SMTP_HOST", "127.0.0.1"},
                                                 {"LMS_SMTP_PORT", std::to_string(sink.port())},
                                                 {"LMS_SMTP_STARTTLS", "0"},
                                                 {"LMS_MAIL_RETRY_BASE_MS", "100"},
                                                 {"LMS_CERTIFICATE_RETRY_BASE_MS", "100"},
                                                 {"LMS_S3_ENDPOINT", s3.endpoint()},
                                                 {"LMS_S3_BUCKET", "certs"},
                                                 {"LMS_S3_ACCESS_KEY_ID", "S3RVER"},
                                                 {"LMS_S3_SECRET_ACCESS_KEY", "S3RVER"},
                                                 {"LMS_S3_PATH_STYLE", "1"}};
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
    std::error_code ec;
    fs::remove_all(scratch, ec);
}

}  // namespace
}  // namespace lms
