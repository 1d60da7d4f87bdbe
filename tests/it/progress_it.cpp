// Progress and certificates as clients use them: `lms serve` in a process of its own, real HTTP
// over a socket, a real PostgreSQL. Completion once per lecture, the percentage against the
// course's lectures of now, 403/404 that write nothing, the certificate issued with the last
// lecture and verified with the public key by OpenSSL's command line, revocation, reissue, the
// verification page's CSP.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "api/enrollment/commands.hpp"
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
#include "tests/support/wait.hpp"

namespace lms {
namespace {

using nlohmann::json;
using test::call;

const std::string kSecret = "progress-it-secret-0123456789abcdef0123456789a";

class Progress : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        db_ = new test::TestDatabase();
        server_ = new test::LmsServer(db_->url(), kSecret);
        owner_ = new test::Headers(test::signUp(port(), "owner", "INSTRUCTOR", "Olga", "Owner"));
        student_ = new test::Headers(test::signUp(port(), "student", "STUDENT", "Zoë", "Ångström-Núñez"));
        other_ = new test::Headers(test::signUp(port(), "other", "STUDENT", "محمد", "عبد الله"));
        admin_ = new test::Headers(test::signUpAdmin(port(), db_->url(), kSecret));
    }
    static void TearDownTestSuite() {
        for (auto* h : {owner_, student_, other_, admin_}) delete h;
        delete server_;
        delete db_;
    }
    static int port() { return server_->port(); }

    // A published free course with two lectures: {courseId, sectionId, lecture ids}.
    struct Course {
        std::string id, section, title;
        std::vector<std::string> lectures;
    };
    static Course twoLectures() {
        Course c;
        c.title = "Rust " + newUuid().substr(30);
        const auto d = test::publishedCourse(port(), *owner_, *admin_, c.title, 0);
        c.id = d["id"];
        c.section = d["sections"][0]["id"];
        c.lectures.push_back(d["sections"][0]["lectures"][0]["id"]);
        c.lectures.push_back(addLecture(c, "Second"));
        return c;
    }
    static std::string addLecture(const Course& c, const std::string& title) {
        auto r = call(port(), "POST", "/api/v1/courses/" + c.id + "/sections/" + c.section + "/lectures",
                      json{{"title", title}, {"content", "more"}, {"duration", 5}}, *owner_);
        EXPECT_EQ(r.status, 201) << r.raw;
        for (const auto& l : r.body["sections"][0]["lectures"])
            if (l["title"] == title) return l["id"];
        return "";
    }
    static test::Reply complete(const Course& c, const std::string& lecture, const test::Headers& who) {
        return call(port(), "POST", "/api/v1/progress/courses/" + c.id + "/lectures/" + lecture + "/complete",
                    std::nullopt, who);
    }
    static void enroll(const Course& c, const test::Headers& who) {
        ASSERT_EQ(call(port(), "POST", "/api/v1/courses/" + c.id + "/enroll", std::nullopt, who).status, 201);
    }
    static std::int64_t eventsOf(const std::string& like) {
        pg::Connection conn(db_->url());
        return conn.query("SELECT count(*) FROM lms_events WHERE stream_id LIKE $1", {like}).i64(0, 0);
    }

    static test::TestDatabase* db_;
    static test::LmsServer* server_;
    static test::Headers *owner_, *student_, *other_, *admin_;
};
test::TestDatabase* Progress::db_ = nullptr;
test::LmsServer* Progress::server_ = nullptr;
test::Headers *Progress::owner_ = nullptr, *Progress::student_ = nullptr, *Progress::other_ = nullptr,
              *Progress::admin_ = nullptr;

TEST_F(Progress, LecturesCompleteOnceAndTheLastIssuesAVerifiableCertificate) {
    const auto c = twoLectures();
    enroll(c, *student_);
    auto first = complete(c, c.lectures[0], *student_);
    ASSERT_EQ(first.status, 200) << first.raw;
    EXPECT_EQ(first.body["progress"], 50);
    EXPECT_EQ(first.body["completed"], false);
    EXPECT_TRUE(first.body["certificateId"].is_null());
    auto again = complete(c, c.lectures[0], *student_);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body["completedLectures"], 1);

    auto last = complete(c, c.lectures[1], *student_);
    ASSERT_EQ(last.status, 200) << last.raw;
    EXPECT_EQ(last.body["progress"], 100);
    EXPECT_EQ(last.body["completed"], true);
    ASSERT_TRUE(last.body["certificateId"].is_string()) << last.raw;
    const std::string certId = last.body["certificateId"];
    EXPECT_EQ(certId.size(), 18u);
    // One LectureCompleted per lecture, one CourseCompleted, one certificate.
    EXPECT_EQ(eventsOf("certificate-" + certId), 1);
    auto shown = call(port(), "GET", "/api/v1/progress/courses/" + c.id, std::nullopt, *student_);
    EXPECT_EQ(shown.body["progress"], 100);
    EXPECT_EQ(shown.body["certificateId"], certId);
    EXPECT_EQ(complete(c, c.lectures[1], *student_).body["certificateId"], certId);

    // Public verification: no credentials; the name and the title as at that moment.
    auto v = call(port(), "GET", "/api/v1/certificates/" + certId);
    ASSERT_EQ(v.status, 200) << v.raw;
    EXPECT_EQ(v.body["status"], "VALID");
    EXPECT_EQ(v.body["student"]["name"], "Zoë Ångström-Núñez");
    EXPECT_EQ(v.body["course"]["title"], c.title);
    EXPECT_EQ(v.body["course"]["id"], c.id);
    // Read back as people type it.
    std::string lower;
    for (const char ch : certId) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    EXPECT_EQ(call(port(), "GET", "/api/v1/certificates/" + lower).body["certId"], certId);
    auto typo = certId;
    typo[5] = typo[5] == 'A' ? 'B' : 'A';
    EXPECT_EQ(call(port(), "GET", "/api/v1/certificates/" + typo).status, 404);

    auto key = call(port(), "GET", "/api/v1/certificates/public-key");
    ASSERT_EQ(key.status, 200);
    EXPECT_EQ(key.body["kty"], "OKP");
    EXPECT_EQ(key.body["crv"], "Ed25519");
    EXPECT_EQ(v.body["signatureKeyId"], key.body["kid"]);
    const auto pub = jwt::base64UrlDecode(key.body["x"].get<std::string>());
    const auto sig = jwt::base64UrlDecode(v.body["signature"].get<std::string>());
    ASSERT_TRUE(pub && sig);
    auto signedPart = v.body;
    for (const char* k : {"pdfUrl", "signature", "signatureKeyId"}) signedPart.erase(k);
    const auto message = domain::certificates::canonicalJson(signedPart);
    EXPECT_TRUE(test::opensslVerifiesEd25519(*pub, message, *sig));
    auto forged = signedPart;
    forged["student"]["name"] = "Mallory";
    EXPECT_FALSE(test::opensslVerifiesEd25519(*pub, domain::certificates::canonicalJson(forged), *sig));

    // The embedded store: the worker renders and stores the PDF in the data folder, and pdfUrl is a
    // signed expiring link the API serves; a tampered one is refused.
    json stored;
    ASSERT_TRUE(test::eventually(
        [&] {
            stored = call(port(), "GET", "/api/v1/certificates/" + certId).body;
            return stored["pdfUrl"].is_string();
        },
        std::chrono::seconds(60)))
        << stored.dump();
    const std::string link = stored["pdfUrl"];
    const auto path = link.substr(link.find("/files/"));
    auto pdf = call(port(), "GET", path);
    ASSERT_EQ(pdf.status, 200) << link;
    EXPECT_EQ(pdf.contentType, "application/pdf");
    EXPECT_EQ(sha256Hex(pdf.raw), stored["sha256"]);
    auto tampered = path;
    tampered[tampered.size() - 1] = tampered.back() == '0' ? '1' : '0';
    EXPECT_EQ(call(port(), "GET", tampered).status, 403);

    auto mine = call(port(), "GET", "/api/v1/users/me/certificates", std::nullopt, *student_);
    ASSERT_EQ(mine.status, 200);
    ASSERT_EQ(mine.body["items"].size(), 1u);
    EXPECT_EQ(mine.body["items"][0]["certId"], certId);
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me/certificates", std::nullopt, *other_).body["items"].size(), 0u);
}

TEST_F(Progress, NotEnrolledAnotherCoursesLectureOrARevokedEnrollmentWriteNothing) {
    const auto c = twoLectures();
    const auto d = twoLectures();
    auto stranger = complete(c, c.lectures[0], *other_);
    EXPECT_EQ(stranger.status, 403) << stranger.raw;
    EXPECT_EQ(stranger.body["code"], "not_enrolled");
    EXPECT_EQ(call(port(), "GET", "/api/v1/progress/courses/" + c.id, std::nullopt, *other_).status, 403);
    EXPECT_EQ(call(port(), "POST", "/api/v1/progress/courses/" + c.id + "/reset", std::nullopt, *other_).status, 403);
    enroll(c, *other_);
    auto foreign = complete(c, d.lectures[0], *other_);
    EXPECT_EQ(foreign.status, 404);
    EXPECT_EQ(foreign.body["code"], "lecture_not_found");
    EXPECT_EQ(complete(c, "../../x", *other_).status, 404);
    EXPECT_EQ(
        call(port(), "POST", "/api/v1/progress/courses/not-a-uuid/lectures/x/complete", std::nullopt, *other_).status,
        404);
    EXPECT_EQ(
        call(port(), "POST", "/api/v1/progress/courses/" + c.id + "/lectures/" + c.lectures[0] + "/complete").status,
        401);
    pg::Connection conn(db_->url());
    EXPECT_EQ(
        conn.query("SELECT count(*) FROM lms_events WHERE event_type = 'LectureCompleted' AND data->>'courseId' = $1",
                   {c.id})
            .i64(0, 0),
        0);

    // Access revoked (a refund, an admin): completing is refused again, and nothing is written.
    const std::string otherId = call(port(), "GET", "/api/v1/users/me", std::nullopt, *other_).body["id"];
    ASSERT_TRUE(
        enrollment::Commands(conn, Clock::system()).revoke(otherId, c.id, "revoked_by_admin", "", {"test", "t", ""}));
    auto revoked = complete(c, c.lectures[0], *other_);
    EXPECT_EQ(revoked.status, 403) << revoked.raw;
    EXPECT_EQ(revoked.body["code"], "not_enrolled");
    EXPECT_EQ(
        conn.query("SELECT count(*) FROM lms_events WHERE event_type = 'LectureCompleted' AND data->>'courseId' = $1",
                   {c.id})
            .i64(0, 0),
        0);
}

TEST_F(Progress, ALectureAddedLowersTheFigureAndAResetKeepsTheCertificate) {
    auto c = twoLectures();
    enroll(c, *other_);
    ASSERT_EQ(complete(c, c.lectures[0], *other_).status, 200);
    c.lectures.push_back(addLecture(c, "Third"));
    auto shown = call(port(), "GET", "/api/v1/progress/courses/" + c.id, std::nullopt, *other_);
    EXPECT_EQ(shown.body["progress"], 33);
    EXPECT_EQ(shown.body["totalLectures"], 3);
    ASSERT_EQ(complete(c, c.lectures[1], *other_).status, 200);
    auto done = complete(c, c.lectures[2], *other_);
    ASSERT_TRUE(done.body["certificateId"].is_string()) << done.raw;
    const std::string certId = done.body["certificateId"];
    EXPECT_EQ(call(port(), "GET", "/api/v1/certificates/" + certId).body["student"]["name"], "محمد عبد الله");

    auto reset = call(port(), "POST", "/api/v1/progress/courses/" + c.id + "/reset", std::nullopt, *other_);
    ASSERT_EQ(reset.status, 200) << reset.raw;
    EXPECT_EQ(reset.body["progress"], 0);
    EXPECT_EQ(reset.body["certificateId"], certId);
    EXPECT_EQ(call(port(), "GET", "/api/v1/certificates/" + certId).body["status"], "VALID");
    // Completing everything again issues no second certificate.
    for (const auto& l : c.lectures) ASSERT_EQ(complete(c, l, *other_).status, 200);
    pg::Connection conn(db_->url());
    EXPECT_EQ(
        conn.query("SELECT count(*) FROM lms_events WHERE event_type = 'CertificateIssued' AND data->>'courseId' = $1",
                   {c.id})
            .i64(0, 0),
        1);
}

TEST_F(Progress, AnAdminRevokesWithAReasonAndTheVerificationPageSaysSo) {
    const auto c = twoLectures();
    enroll(c, *student_);
    complete(c, c.lectures[0], *student_);
    const std::string certId = complete(c, c.lectures[1], *student_).body["certificateId"];

    EXPECT_EQ(
        call(port(), "POST", "/api/v1/admin/certificates/" + certId + "/revoke", json{{"reason", "x"}}, *student_).status,
        403);
    auto noReason = call(port(), "POST", "/api/v1/admin/certificates/" + certId + "/revoke", json::object(), *admin_);
    EXPECT_EQ(noReason.status, 422);
    EXPECT_EQ(noReason.body["errors"][0]["field"], "reason");
    EXPECT_EQ(
        call(port(), "POST", "/api/v1/admin/certificates/LMS-0000-0000-0000/revoke", json{{"reason", "x"}}, *admin_)
            .status,
        404);

    auto page = call(port(), "GET", "/verify/" + certId);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.raw.find("Valid certificate"), std::string::npos);
    EXPECT_EQ(page.header("Content-Security-Policy").rfind("default-src 'none'; style-src 'sha256-", 0), 0u)
        << page.header("Content-Security-Policy");
    EXPECT_EQ(page.contentType, "text/html; charset=utf-8");

    auto revoked = call(port(), "POST", "/api/v1/admin/certificates/" + certId + "/revoke",
                        json{{"reason", "plagiarism <script>"}}, *admin_);
    ASSERT_EQ(revoked.status, 200) << revoked.raw;
    EXPECT_EQ(revoked.body["status"], "REVOKED");
    auto v = call(port(), "GET", "/api/v1/certificates/" + certId);
    EXPECT_EQ(v.body["status"], "REVOKED");
    EXPECT_EQ(v.body["revocationReason"], "plagiarism <script>");
    EXPECT_TRUE(v.body["revokedAt"].is_string());
    page = call(port(), "GET", "/verify/" + certId);
    EXPECT_NE(page.raw.find("Revoked certificate"), std::string::npos);
    EXPECT_NE(page.raw.find("plagiarism &lt;script&gt;"), std::string::npos);
    EXPECT_EQ(page.raw.find("<script>"), std::string::npos);
    auto reissue = call(port(), "POST", "/api/v1/admin/certificates/" + certId + "/reissue", std::nullopt, *admin_);
    EXPECT_EQ(reissue.status, 409);
    EXPECT_EQ(reissue.body["code"], "certificate_revoked");
    EXPECT_EQ(call(port(), "GET", "/verify/LMS-0000-0000-0000").status, 404);
}

}  // namespace
}  // namespace lms
