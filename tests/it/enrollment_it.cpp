// Every enrollment route as clients use them: `lms serve` in a process of its own, real HTTP over
// a socket, a real PostgreSQL. Free enrollment once and only once (also when 16 requests race),
// 402 with how to pay, the roles of each list, content for enrolled students only, replay.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "common/ids.hpp"
#include "tests/support/courses.hpp"
#include "tests/support/dump.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/lms_env.hpp"
#include "tests/support/lms_server.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/process.hpp"

namespace lms {
namespace {

using nlohmann::json;
using test::call;
using test::fieldsOf;
using test::Reply;

const std::string kSecret = "enrollment-it-secret-0123456789abcdef012345678";

class Enrollments : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        db_ = new test::TestDatabase();
        server_ = new test::LmsServer(db_->url(), kSecret);
        owner_ = new test::Headers(test::signUp(port(), "owner", "INSTRUCTOR", "Olga", "Owner"));
        other_ = new test::Headers(test::signUp(port(), "other", "INSTRUCTOR", "Oscar", "Other"));
        student_ = new test::Headers(test::signUp(port(), "student", "STUDENT", "Stella", "Student"));
        second_ = new test::Headers(test::signUp(port(), "second", "STUDENT", "Sam", "Second"));
        admin_ = new test::Headers(test::signUpAdmin(port(), db_->url(), kSecret));
    }
    static void TearDownTestSuite() {
        for (auto* h : {owner_, other_, student_, second_, admin_}) delete h;
        delete server_;
        delete db_;
    }
    static int port() { return server_->port(); }
    static json published(const std::string& title, std::int64_t price) {
        return test::publishedCourse(port(), *owner_, *admin_, title + " " + newUuid().substr(30), price);
    }
    static std::string idOf(const test::Headers& who) {
        return call(port(), "GET", "/api/v1/users/me", std::nullopt, who).body["id"];
    }

    static test::TestDatabase* db_;
    static test::LmsServer* server_;
    static test::Headers *owner_, *other_, *student_, *second_, *admin_;
};
test::TestDatabase* Enrollments::db_ = nullptr;
test::LmsServer* Enrollments::server_ = nullptr;
test::Headers *Enrollments::owner_ = nullptr, *Enrollments::other_ = nullptr, *Enrollments::student_ = nullptr,
              *Enrollments::second_ = nullptr, *Enrollments::admin_ = nullptr;

TEST_F(Enrollments, AFreeCourseEnrollsOnceAndShowsItsContentToTheStudentOnly) {
    const auto course = published("Free", 0);
    const std::string id = course["id"];
    const std::string slug = course["slug"];
    // Before: the public view, for the student too (and kept in memory for everyone).
    EXPECT_FALSE(call(port(), "GET", "/api/v1/courses/" + slug).body["sections"][0]["lectures"][0].contains("content"));
    EXPECT_FALSE(call(port(), "GET", "/api/v1/courses/" + slug, std::nullopt, *student_)
                     .body["sections"][0]["lectures"][0]
                     .contains("content"));
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + id + "/enrollment", std::nullopt, *student_).status, 404);

    auto first = call(port(), "POST", "/api/v1/courses/" + id + "/enroll", std::nullopt, *student_);
    ASSERT_EQ(first.status, 201) << first.raw;
    EXPECT_EQ(first.body["status"], "ACTIVE");
    EXPECT_EQ(first.body["source"], "FREE");
    EXPECT_EQ(first.body["courseId"], id);
    EXPECT_EQ(first.body["course"]["title"], course["title"]);
    auto again = call(port(), "POST", "/api/v1/courses/" + id + "/enroll", std::nullopt, *student_);
    EXPECT_EQ(again.status, 200) << again.raw;
    EXPECT_EQ(again.body["id"], first.body["id"]);

    auto mine = call(port(), "GET", "/api/v1/courses/" + id + "/enrollment", std::nullopt, *student_);
    EXPECT_EQ(mine.status, 200);
    EXPECT_EQ(mine.body["id"], first.body["id"]);
    auto list = call(port(), "GET", "/api/v1/enrollments", std::nullopt, *student_);
    ASSERT_EQ(list.status, 200);
    EXPECT_EQ(list.body["meta"]["totalItems"], 1);
    EXPECT_EQ(list.body["items"][0]["id"], first.body["id"]);
    EXPECT_EQ(call(port(), "GET", "/api/v1/enrollments", std::nullopt, *second_).body["meta"]["totalItems"], 0);

    // After: the content for the student, by id and by slug; still not for anyone else.
    for (const auto& key : {id, slug}) {
        auto seen = call(port(), "GET", "/api/v1/courses/" + key, std::nullopt, *student_);
        EXPECT_EQ(seen.body["sections"][0]["lectures"][0]["content"], "secret content") << key;
        EXPECT_FALSE(seen.body.contains("rejectionReason")) << "a student gets no review fields";
        EXPECT_FALSE(call(port(), "GET", "/api/v1/courses/" + key, std::nullopt, *second_)
                         .body["sections"][0]["lectures"][0]
                         .contains("content"));
        EXPECT_FALSE(
            call(port(), "GET", "/api/v1/courses/" + key).body["sections"][0]["lectures"][0].contains("content"));
    }
    // One event in the store, naming the student as the actor.
    pg::Connection c(db_->url());
    const auto rows =
        c.query("SELECT event_type, metadata->>'actorId' FROM lms_events WHERE stream_id = $1 ORDER BY stream_version",
                {"enrollment-" + std::string(first.body["id"])});
    ASSERT_EQ(rows.rows(), 1);
    EXPECT_EQ(rows.str(0, 0), "StudentEnrolled");
    EXPECT_EQ(rows.str(0, 1), idOf(*student_));
}

TEST_F(Enrollments, APaidCourseAnswers402WithHowToPayAndWritesNothing) {
    const auto course = published("Paid", 4900);
    const std::string id = course["id"];
    auto r = call(port(), "POST", "/api/v1/courses/" + id + "/enroll", std::nullopt, *student_);
    ASSERT_EQ(r.status, 402) << r.raw;
    EXPECT_EQ(r.contentType, "application/problem+json");
    EXPECT_EQ(r.body["code"], "payment_required");
    EXPECT_EQ(r.body["price"], 4900);
    EXPECT_EQ(r.body["currency"], "USD");
    EXPECT_EQ(r.body["checkout"]["href"], "/api/v1/payments/checkout-sessions");
    EXPECT_EQ(r.body["checkout"]["body"]["courseId"], id);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + id + "/enrollment", std::nullopt, *student_).status, 404);
    pg::Connection c(db_->url());
    EXPECT_EQ(
        c.query("SELECT count(*) FROM lms_events WHERE stream_id LIKE 'enrollment-%' AND data->>'courseId' = $1", {id})
            .i64(0, 0),
        0);
}

TEST_F(Enrollments, NobodyEnrollsInADraftAnUnknownCourseOrTheirOwn) {
    const auto draft = test::draftWithALecture(port(), *owner_, "Draft " + newUuid().substr(30), 0);
    const std::string draftId = draft["id"];
    EXPECT_EQ(call(port(), "POST", "/api/v1/courses/" + draftId + "/enroll", std::nullopt, *student_).status, 404);
    EXPECT_EQ(call(port(), "POST", "/api/v1/courses/" + newUuid() + "/enroll", std::nullopt, *student_).status, 404);
    EXPECT_EQ(call(port(), "POST", "/api/v1/courses/not-a-uuid/enroll", std::nullopt, *student_).status, 404);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/not-a-uuid/enrollment", std::nullopt, *student_).status, 404);
    const auto course = published("Own", 0);
    const std::string id = course["id"];
    auto own = call(port(), "POST", "/api/v1/courses/" + id + "/enroll", std::nullopt, *owner_);
    EXPECT_EQ(own.status, 403);
    EXPECT_EQ(own.body["code"], "own_course");
    EXPECT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/enroll").status, 401);
    EXPECT_EQ(call(port(), "GET", "/api/v1/enrollments").status, 401);
    // Another instructor may learn from it.
    EXPECT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/enroll", std::nullopt, *other_).status, 201);
    // Unpublished: no new enrollment.
    ASSERT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/unpublish", std::nullopt, *owner_).status, 200);
    EXPECT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/enroll", std::nullopt, *second_).status, 404);
}

TEST_F(Enrollments, SixteenRacingRequestsMakeOneEnrollment) {
    const auto course = published("Raced", 0);
    const std::string id = course["id"];
    std::vector<int> statuses(16);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        threads.emplace_back([&, i] {
            statuses[i] = call(port(), "POST", "/api/v1/courses/" + id + "/enroll", std::nullopt, *second_).status;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1);
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 15);
    pg::Connection c(db_->url());
    EXPECT_EQ(
        c.query("SELECT count(*) FROM lms_events WHERE event_type = 'StudentEnrolled' AND data->>'courseId' = $1", {id})
            .i64(0, 0),
        1);
}

TEST_F(Enrollments, TheInstructorCountsAndListsTheirStudentsAndOnlyTheirs) {
    const auto course = published("Counted", 0);
    const std::string id = course["id"];
    ASSERT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/enroll", std::nullopt, *student_).status, 201);
    ASSERT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/enroll", std::nullopt, *second_).status, 201);
    auto mine = call(port(), "GET", "/api/v1/instructor/courses?limit=100", std::nullopt, *owner_);
    ASSERT_EQ(mine.status, 200);
    bool found = false;
    for (const auto& c : mine.body["items"]) {
        if (c["id"] == id) {
            found = true;
            EXPECT_EQ(c["enrollmentCount"], 2);
        }
    }
    EXPECT_TRUE(found);
    const std::string students = "/api/v1/instructor/courses/" + id + "/students";
    auto list = call(port(), "GET", students + "?limit=1", std::nullopt, *owner_);
    ASSERT_EQ(list.status, 200) << list.raw;
    EXPECT_EQ(list.body["meta"]["totalItems"], 2);
    EXPECT_EQ(list.body["items"].size(), 1u);
    EXPECT_EQ(list.body["items"][0]["name"], "Sam Second") << "newest first";
    EXPECT_EQ(call(port(), "GET", students, std::nullopt, *admin_).body["meta"]["totalItems"], 2);
    EXPECT_EQ(call(port(), "GET", students, std::nullopt, *other_).status, 403);
    EXPECT_EQ(call(port(), "GET", students, std::nullopt, *student_).status, 403);
    EXPECT_EQ(call(port(), "GET", "/api/v1/instructor/courses/" + newUuid() + "/students", std::nullopt, *owner_).status,
              404);
    EXPECT_EQ(call(port(), "GET", students + "?limit=0", std::nullopt, *owner_).status, 422);
}

TEST_F(Enrollments, AdminsListEveryEnrollmentWithFilters) {
    const auto course = published("Administered", 0);
    const std::string id = course["id"];
    ASSERT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/enroll", std::nullopt, *student_).status, 201);
    auto byCourse = call(port(), "GET", "/api/v1/admin/enrollments?courseId=" + id, std::nullopt, *admin_);
    ASSERT_EQ(byCourse.status, 200) << byCourse.raw;
    EXPECT_EQ(byCourse.body["meta"]["totalItems"], 1);
    const std::string student = idOf(*student_);
    auto both = call(port(), "GET", "/api/v1/admin/enrollments?status=ACTIVE&studentId=" + student + "&courseId=" + id,
                     std::nullopt, *admin_);
    EXPECT_EQ(both.body["meta"]["totalItems"], 1);
    EXPECT_EQ(call(port(), "GET", "/api/v1/admin/enrollments?status=REVOKED&courseId=" + id, std::nullopt, *admin_)
                  .body["meta"]["totalItems"],
              0);
    auto bad = call(port(), "GET", "/api/v1/admin/enrollments?courseId=x&studentId=y&status=GONE&limit=500",
                    std::nullopt, *admin_);
    EXPECT_EQ(bad.status, 422);
    EXPECT_EQ(fieldsOf(bad), (std::vector<std::string>{"courseId", "limit", "status", "studentId"}));
    EXPECT_EQ(call(port(), "GET", "/api/v1/admin/enrollments", std::nullopt, *owner_).status, 403);
}

TEST_F(Enrollments, ReplayRebuildsTheEnrollmentsExactlyAsTheyAreLive) {
    const auto course = published("Replayed", 0);
    ASSERT_EQ(
        call(port(), "POST", "/api/v1/courses/" + std::string(course["id"]) + "/enroll", std::nullopt, *student_).status,
        201);
    pg::Connection c(db_->url());
    const auto live = test::dumpTable(c, "lms_rm.enrollments", "enrollment_id");
    ASSERT_GE(c.exec("SELECT count(*) FROM lms_rm.enrollments").i64(0, 0), 1);
    auto [status, out] = test::runLms({"replay"}, server_->env());
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("enrollments:"), std::string::npos) << out;
    EXPECT_EQ(test::dumpTable(c, "lms_rm.enrollments", "enrollment_id"), live);
}

}  // namespace
}  // namespace lms
