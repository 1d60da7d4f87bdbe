// Every course route as clients use them: `lms serve` in a process of its own, real HTTP over a
// socket, a real PostgreSQL. Roles (public, student, the owning instructor, another instructor,
// admin), bad input, racing edits, hostile search strings and cache validators.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "api/identity/commands.hpp"
#include "common/clock.hpp"
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
using test::bearer;
using test::call;
using test::fieldsOf;
using test::Reply;

const std::string kSecret = "catalog-it-secret-0123456789abcdef0123456789ab";

test::Headers with(test::Headers h, const std::string& name, const std::string& value) {
    h[name] = value;
    return h;
}

using test::courseInput;

class Catalog : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        db_ = new test::TestDatabase();
        server_ = new test::LmsServer(db_->url(), kSecret);
        owner_ = new test::Headers(signUp("owner", "INSTRUCTOR"));
        other_ = new test::Headers(signUp("other", "INSTRUCTOR"));
        student_ = new test::Headers(signUp("student", "STUDENT"));
        admin_ = new test::Headers(test::signUpAdmin(port(), db_->url(), kSecret));
    }
    static void TearDownTestSuite() {
        delete owner_;
        delete other_;
        delete student_;
        delete admin_;
        delete server_;
        delete db_;
    }
    static int port() { return server_->port(); }
    static test::Headers signUp(const std::string& who, const std::string& role) {
        return test::signUp(port(), who, role, who == "owner" ? "Olga" : "Someone", who == "owner" ? "Owner" : "Else");
    }
    static json draftWithALecture(const std::string& title) { return test::draftWithALecture(port(), *owner_, title); }
    static json published(const std::string& title) { return test::publishedCourse(port(), *owner_, *admin_, title); }

    static test::TestDatabase* db_;
    static test::LmsServer* server_;
    static test::Headers *owner_, *other_, *student_, *admin_;
};
test::TestDatabase* Catalog::db_ = nullptr;
test::LmsServer* Catalog::server_ = nullptr;
test::Headers *Catalog::owner_ = nullptr, *Catalog::other_ = nullptr, *Catalog::student_ = nullptr,
              *Catalog::admin_ = nullptr;

TEST_F(Catalog, ADraftIsTheOwnersUntilItIsPublished) {
    const auto d = draftWithALecture("Draft only " + newUuid().substr(30));
    const std::string id = d["id"];
    EXPECT_EQ(d["status"], "DRAFT");
    EXPECT_EQ(d["instructor"]["name"], "Olga Owner");
    EXPECT_EQ(d["lectureCount"], 1);
    EXPECT_EQ(d["totalMinutes"], 12);
    // The public, a student and another instructor: no such course.
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + id).status, 404);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + id, std::nullopt, *student_).status, 404);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + id, std::nullopt, *other_).status, 404);
    auto mine = call(port(), "GET", "/api/v1/courses/" + id, std::nullopt, *owner_);
    ASSERT_EQ(mine.status, 200);
    EXPECT_EQ(mine.body["sections"][0]["lectures"][0]["content"], "secret content");
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + id, std::nullopt, *admin_).status, 200);
    // Malformed ids are not found, not errors.
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/not-a-uuid").status, 404);
    EXPECT_EQ(call(port(), "PATCH", "/api/v1/courses/not-a-uuid", json{{"price", 1}}, *owner_).status, 404);
    EXPECT_EQ(
        call(port(), "POST", "/api/v1/courses/" + id + "/sections/nope/lectures", json{{"title", "x"}}, *owner_).status,
        404);
}

TEST_F(Catalog, OnlyTheOwnerOrAnAdminChangesACourseAndOnlyAnAdminReviews) {
    const auto d = draftWithALecture("Ownership " + newUuid().substr(30));
    const std::string id = d["id"];
    auto theirs = call(port(), "PATCH", "/api/v1/courses/" + id, json{{"price", 0}}, *other_);
    EXPECT_EQ(theirs.status, 403);
    EXPECT_EQ(theirs.body["code"], "not_course_owner");
    EXPECT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/sections", json{{"title", "Mine now"}}, *other_).status,
              403);
    EXPECT_EQ(call(port(), "DELETE", "/api/v1/courses/" + id, std::nullopt, *other_).status, 403);
    EXPECT_EQ(call(port(), "POST", "/api/v1/courses", courseInput("A student's course"), *student_).status, 403);
    EXPECT_EQ(call(port(), "POST", "/api/v1/courses", courseInput("Nobody's course")).status, 401);
    EXPECT_EQ(call(port(), "PATCH", "/api/v1/courses/" + id, json{{"price", 100}}, *admin_).status, 200);

    ASSERT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/submit", std::nullopt, *owner_).status, 200);
    EXPECT_EQ(call(port(), "PATCH", "/api/v1/admin/courses/" + id + "/approve", std::nullopt, *owner_).status, 403);
    auto queue = call(port(), "GET", "/api/v1/admin/courses?status=IN_REVIEW&limit=100", std::nullopt, *admin_);
    ASSERT_EQ(queue.status, 200);
    bool queued = false;
    for (const auto& c : queue.body["items"]) queued = queued || c["id"] == id;
    EXPECT_TRUE(queued);
    EXPECT_EQ(call(port(), "GET", "/api/v1/admin/courses", std::nullopt, *owner_).status, 403);
    auto noReason = call(port(), "PATCH", "/api/v1/admin/courses/" + id + "/reject", json::object(), *admin_);
    EXPECT_EQ(noReason.status, 422);
    EXPECT_EQ(fieldsOf(noReason), (std::vector<std::string>{"reason"}));
    auto rejected = call(port(), "PATCH", "/api/v1/admin/courses/" + id + "/reject",
                         json{{"reason", "Audio too quiet"}}, *admin_);
    ASSERT_EQ(rejected.status, 200) << rejected.raw;
    EXPECT_EQ(rejected.body["status"], "REJECTED");
    EXPECT_EQ(rejected.body["rejectionReason"], "Audio too quiet");
    auto again = call(port(), "PATCH", "/api/v1/admin/courses/" + id + "/approve", std::nullopt, *admin_);
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.body["code"], "invalid_status");
}

TEST_F(Catalog, EveryInvalidFieldIsNamedInOne422AndNothingIsWritten) {
    pg::Connection c(db_->url());
    const auto before = c.exec("SELECT count(*) FROM lms_events WHERE event_type = 'CourseCreated'").i64(0, 0);
    auto bad = call(port(), "POST", "/api/v1/courses",
                    json{{"title", "ab"},
                         {"price", -1},
                         {"currency", "usd"},
                         {"category", "COOKING"},
                         {"difficulty", "HARD"},
                         {"tags", json::array({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"})},
                         {"unknownField", "ignored"}},
                    *owner_);
    EXPECT_EQ(bad.status, 422) << bad.raw;
    EXPECT_EQ(fieldsOf(bad), (std::vector<std::string>{"category", "currency", "difficulty", "price", "tags", "title"}));
    auto missing = call(port(), "POST", "/api/v1/courses", json::object(), *owner_);
    EXPECT_EQ(fieldsOf(missing), (std::vector<std::string>{"category", "currency", "difficulty", "price", "title"}));
    auto nul = call(port(), "POST", "/api/v1/courses", courseInput(std::string("Null\0byte", 9)), *owner_);
    EXPECT_EQ(fieldsOf(nul), (std::vector<std::string>{"description", "title"})) << "both hold the NUL";
    EXPECT_EQ(call(port(), "POST", "/api/v1/courses", std::nullopt, *owner_, "{not json").status, 400);
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_events WHERE event_type = 'CourseCreated'").i64(0, 0), before);
    const auto d = draftWithALecture("Lectures " + newUuid().substr(30));
    const std::string sid = d["sections"][0]["id"];
    auto badLecture = call(
        port(), "POST", "/api/v1/courses/" + std::string(d["id"]) + "/sections/" + sid + "/lectures",
        json{{"title", ""}, {"duration", -1}, {"type", "PODCAST"}, {"resourceUrls", {"ftp://x"}}, {"preview", "yes"}},
        *owner_);
    EXPECT_EQ(badLecture.status, 422);
    EXPECT_EQ(fieldsOf(badLecture), (std::vector<std::string>{"duration", "preview", "resourceUrls", "title", "type"}));
}

TEST_F(Catalog, RacingEditsAreBothAppliedAndAStaleIfMatchIs412) {
    const auto d = draftWithALecture("Races " + newUuid().substr(30));
    const std::string id = d["id"];
    // Two edits of different fields at once: neither is lost.
    Reply a, b;
    std::thread ta([&] { a = call(port(), "PATCH", "/api/v1/courses/" + id, json{{"price", 1234}}, *owner_); });
    std::thread tb([&] {
        b = call(port(), "PATCH", "/api/v1/courses/" + id, json{{"description", "Both survive"}}, *owner_);
    });
    ta.join();
    tb.join();
    EXPECT_EQ(a.status, 200) << a.raw;
    EXPECT_EQ(b.status, 200) << b.raw;
    auto now = call(port(), "GET", "/api/v1/courses/" + id, std::nullopt, *owner_);
    EXPECT_EQ(now.body["price"], 1234);
    EXPECT_EQ(now.body["description"], "Both survive");
    // With If-Match: the second writer, who read the same version, is told it is stale.
    const std::string tag = now.header("ETag");
    ASSERT_FALSE(tag.empty());
    auto first = call(port(), "PATCH", "/api/v1/courses/" + id, json{{"price", 1}}, with(*owner_, "If-Match", tag));
    EXPECT_EQ(first.status, 200) << first.raw;
    auto second = call(port(), "PATCH", "/api/v1/courses/" + id, json{{"price", 2}}, with(*owner_, "If-Match", tag));
    EXPECT_EQ(second.status, 412) << second.raw;
    EXPECT_EQ(second.body["code"], "version_mismatch");
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + id, std::nullopt, *owner_).body["price"], 1);
    EXPECT_EQ(
        call(port(), "PATCH", "/api/v1/courses/" + id, json{{"price", 3}}, with(*owner_, "If-Match", "garbage")).status,
        400);
}

TEST_F(Catalog, APublishedCourseIsPublicKeepsItsOldSlugsAndIsCacheable) {
    const std::string title = "Café Crème " + newUuid().substr(30);
    const auto pub = published(title);
    const std::string id = pub["id"];
    const std::string slug = pub["slug"];
    EXPECT_EQ(slug.rfind("cafe-creme-", 0), 0u) << slug;
    auto publicView = call(port(), "GET", "/api/v1/courses/" + slug);
    ASSERT_EQ(publicView.status, 200) << publicView.raw;
    EXPECT_EQ(publicView.body["id"], id);
    // Not the lecture's content: not enrolled, not a preview.
    EXPECT_FALSE(publicView.body["sections"][0]["lectures"][0].contains("content"));
    EXPECT_EQ(publicView.body["sections"][0]["lectures"][0]["durationMinutes"], 12);
    // The same answer again: 304.
    const std::string tag = publicView.header("ETag");
    auto again = call(port(), "GET", "/api/v1/courses/" + slug, std::nullopt, {{"If-None-Match", tag}});
    EXPECT_EQ(again.status, 304);
    EXPECT_TRUE(again.raw.empty());
    // A rename: a new slug; the old one still resolves; the old ETag no longer matches.
    auto renamed = call(port(), "PATCH", "/api/v1/courses/" + id, json{{"title", "Renamed " + title}}, *owner_);
    ASSERT_EQ(renamed.status, 200) << renamed.raw;
    EXPECT_NE(renamed.body["slug"], slug);
    EXPECT_EQ(renamed.body["status"], "PUBLISHED") << "an edit keeps it published";
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + slug).body["id"], id);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + std::string(renamed.body["slug"])).body["id"], id);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + slug, std::nullopt, {{"If-None-Match", tag}}).status, 200);
    // A second course of the same title gets a slug of its own.
    const auto twin = published(title);
    EXPECT_NE(twin["slug"], slug);
    // Unpublished: gone for the public; deleted: gone for everyone.
    ASSERT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/unpublish", std::nullopt, *owner_).status, 200);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + id).status, 404);
    EXPECT_EQ(call(port(), "DELETE", "/api/v1/courses/" + id, std::nullopt, *owner_).status, 204);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + id, std::nullopt, *owner_).status, 404);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + slug, std::nullopt, *admin_).status, 404);
}

TEST_F(Catalog, TheListShowsPublishedCoursesFiltersPagesAndSurvivesHostileSearches) {
    const std::string marker = "zqx" + newUuid().substr(30);
    const auto pub = published("Kotlin " + marker);
    draftWithALecture("Kotlin draft " + marker);
    auto found = call(port(), "GET", "/api/v1/courses?q=" + marker);
    ASSERT_EQ(found.status, 200) << found.raw;
    ASSERT_EQ(found.body["items"].size(), 1u);
    EXPECT_EQ(found.body["items"][0]["id"], pub["id"]);
    EXPECT_EQ(found.body["meta"]["totalItems"], 1);
    EXPECT_FALSE(found.header("ETag").empty());
    EXPECT_EQ(
        call(port(), "GET", "/api/v1/courses?q=" + marker, std::nullopt, {{"If-None-Match", found.header("ETag")}}).status,
        304);
    // Prefix matching for the last word as someone types.
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses?q=kotl").body["meta"]["totalItems"].get<int>() >= 1, true);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses?category=DESIGN&q=" + marker).body["items"].size(), 0u);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses?limit=500").status, 422);
    auto bad = call(port(), "GET", "/api/v1/courses?category=COOKING&sort=random&minPrice=-1");
    EXPECT_EQ(bad.status, 422);
    EXPECT_EQ(fieldsOf(bad), (std::vector<std::string>{"category", "minPrice", "sort"}));
    // Any bytes in q: 200 or a 4xx, never a 500.
    const std::vector<std::string> hostile{"%27",    "%22",         "%26",       "%7C",      "!",         "%3A*",
                                           "%5C%5C", "a+%26+%7C+b", "(((",       "%00",      "%FF%FE",    "%E2%80%AE",
                                           "%C3%28", "''%3B--",     "%25%25%25", "%3A*%3A*", "a%3A*b%3A*"};
    for (const auto& h : hostile) {
        auto r = call(port(), "GET", "/api/v1/courses?q=" + h);
        EXPECT_TRUE(r.status == 200 || (r.status >= 400 && r.status < 500)) << h << ": " << r.status << " " << r.raw;
    }
    auto huge = call(port(), "GET", "/api/v1/courses?q=" + std::string(10'000, '!'));
    EXPECT_TRUE(huge.status >= 400 && huge.status < 500) << huge.status;
    auto longOk = call(port(), "GET", "/api/v1/courses?q=" + std::string(150, '&'));
    EXPECT_EQ(longOk.status, 200) << longOk.raw;
}

// The public answers a process keeps in memory: how many it read from the database so far.
double misses(int port, const std::string& route) {
    const auto r = call(port, "GET", "/metrics");
    const std::string series = "lms_catalog_answer_misses_total{route=\"" + route + "\"} ";
    const auto at = r.raw.find(series);
    return at == std::string::npos ? 0 : std::stod(r.raw.substr(at + series.size()));
}

TEST_F(Catalog, PublicAnswersComeFromMemoryAndChangeWithEveryCommitThatChangesThem) {
    const std::string marker = "qvk" + newUuid().substr(30);
    const auto pub = published("Rust " + marker);
    const std::string id = pub["id"];
    const std::string slug = pub["slug"];
    const std::string list = "/api/v1/courses?q=" + marker;
    // The second reading of the same listing and detail is not read from the database.
    ASSERT_EQ(call(port(), "GET", list).status, 200);
    ASSERT_EQ(call(port(), "GET", "/api/v1/courses/" + slug).status, 200);
    const double listed = misses(port(), "list"), detailed = misses(port(), "detail");
    const auto first = call(port(), "GET", list);
    const auto firstDetail = call(port(), "GET", "/api/v1/courses/" + slug);
    EXPECT_EQ(misses(port(), "list"), listed);
    EXPECT_EQ(misses(port(), "detail"), detailed);
    EXPECT_EQ(first.body["items"][0]["title"], "Rust " + marker);
    EXPECT_EQ(call(port(), "GET", list, std::nullopt, {{"If-None-Match", first.header("ETag")}}).status, 304);
    // The owner (and an admin) still see everything of the course, not the public view kept.
    auto owners = call(port(), "GET", "/api/v1/courses/" + slug, std::nullopt, *owner_);
    EXPECT_EQ(owners.body["sections"][0]["lectures"][0]["content"], "secret content");
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + slug, std::nullopt, *admin_)
                  .body["sections"][0]["lectures"][0]["content"],
              "secret content");
    EXPECT_FALSE(call(port(), "GET", "/api/v1/courses/" + slug, std::nullopt, *student_)
                     .body["sections"][0]["lectures"][0]
                     .contains("content"));
    // An edit of the published course shows in the very next public answer of this process (its
    // own commits clear the answers before the edit is answered, not when the feed reads them).
    for (int price = 1000; price < 1020; ++price) {
        ASSERT_EQ(call(port(), "PATCH", "/api/v1/courses/" + id, json{{"price", price}}, *owner_).status, 200);
        ASSERT_EQ(call(port(), "GET", list).body["items"][0]["price"], price);
        ASSERT_EQ(call(port(), "GET", "/api/v1/courses/" + slug).body["price"], price);
    }
    auto edited = call(port(), "PATCH", "/api/v1/courses/" + id, json{{"price", 1234}}, *owner_);
    ASSERT_EQ(edited.status, 200) << edited.raw;
    auto after = call(port(), "GET", list);
    EXPECT_EQ(after.body["items"][0]["price"], 1234);
    EXPECT_NE(after.header("ETag"), first.header("ETag"));
    EXPECT_EQ(call(port(), "GET", list, std::nullopt, {{"If-None-Match", first.header("ETag")}}).status, 200);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + slug).body["price"], 1234);
    EXPECT_NE(call(port(), "GET", "/api/v1/courses/" + slug).header("ETag"), firstDetail.header("ETag"));
    // So does the instructor's new name (an identity event).
    auto renamed = call(port(), "PATCH", "/api/v1/users/me", json{{"firstName", "Olenka"}}, *owner_);
    ASSERT_EQ(renamed.status, 200) << renamed.raw;
    EXPECT_EQ(call(port(), "GET", list).body["items"][0]["instructor"]["name"], "Olenka Owner");
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + slug).body["instructor"]["name"], "Olenka Owner");
    ASSERT_EQ(call(port(), "PATCH", "/api/v1/users/me", json{{"firstName", "Olga"}}, *owner_).status, 200);
    // Unpublished: gone from this process's answers at once.
    ASSERT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/unpublish", std::nullopt, *owner_).status, 200);
    EXPECT_EQ(call(port(), "GET", list).body["meta"]["totalItems"], 0);
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + slug).status, 404);
}

TEST_F(Catalog, AnotherProcesssCommitReachesThisProcesssAnswers) {
    // Two API processes on one database: what one commits, the other's kept answers show as soon
    // as its event feed reads the event.
    const std::string marker = "wpj" + newUuid().substr(30);
    const auto pub = published("Go " + marker);
    const std::string id = pub["id"];
    const std::string list = "/api/v1/courses?q=" + marker;
    ASSERT_EQ(call(port(), "GET", list).body["items"][0]["price"], 4900);
    ASSERT_EQ(call(port(), "GET", "/api/v1/courses/" + id).body["price"], 4900);
    test::LmsServer second(db_->url(), kSecret);
    auto edited = call(second.port(), "PATCH", "/api/v1/courses/" + id, json{{"price", 777}}, *owner_);
    ASSERT_EQ(edited.status, 200) << edited.raw;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    json seen;
    while (std::chrono::steady_clock::now() < deadline) {
        seen = call(port(), "GET", list).body;
        if (seen["items"][0]["price"] == 777) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(seen["items"][0]["price"], 777) << "the first process kept its answer after the other's commit";
    EXPECT_EQ(call(port(), "GET", "/api/v1/courses/" + id).body["price"], 777);
}

TEST_F(Catalog, TheInstructorSeesEveryOwnCourseWithLectureCounts) {
    const auto d = draftWithALecture("Mine " + newUuid().substr(30));
    auto mine = call(port(), "GET", "/api/v1/instructor/courses?limit=100", std::nullopt, *owner_);
    ASSERT_EQ(mine.status, 200) << mine.raw;
    bool seen = false;
    for (const auto& c : mine.body["items"]) {
        EXPECT_EQ(c["instructor"]["name"], "Olga Owner");
        if (c["id"] == d["id"]) {
            seen = true;
            EXPECT_EQ(c["status"], "DRAFT");
            EXPECT_EQ(c["lectureCount"], 1);
        }
    }
    EXPECT_TRUE(seen);
    EXPECT_EQ(call(port(), "GET", "/api/v1/instructor/courses", std::nullopt, *student_).status, 403);
    auto theirs = call(port(), "GET", "/api/v1/instructor/courses", std::nullopt, *other_);
    for (const auto& c : theirs.body["items"]) EXPECT_NE(c["id"], d["id"]);
}

TEST_F(Catalog, EveryChangeNamesItsActorInTheStore) {
    const auto d = draftWithALecture("Audited " + newUuid().substr(30));
    const std::string id = d["id"];
    ASSERT_EQ(call(port(), "PATCH", "/api/v1/courses/" + id, json{{"price", 10}}, *admin_).status, 200);
    pg::Connection c(db_->url());
    const auto rows =
        c.query("SELECT event_type, metadata->>'actorId' FROM lms_events WHERE stream_id = $1 ORDER BY stream_version",
                {"course-" + id});
    ASSERT_EQ(rows.rows(), 4);
    const std::string owner = d["instructor"]["id"];
    EXPECT_EQ(rows.str(0, 0), "CourseCreated");
    EXPECT_EQ(rows.str(0, 1), owner);
    EXPECT_EQ(rows.str(2, 0), "LectureAdded");
    EXPECT_EQ(rows.str(3, 0), "CourseUpdated");
    EXPECT_NE(rows.str(3, 1), owner) << "the admin did it";
    EXPECT_FALSE(rows.str(3, 1).empty());
}

// Last: over everything the tests above wrote.
TEST_F(Catalog, ReplayRebuildsTheCatalogExactlyAsItIsLive) {
    // Something of every kind: published, renamed, rejected, deleted, a draft with a removed lecture.
    const auto pub = published("Replayed " + newUuid().substr(30));
    EXPECT_EQ(call(port(), "PATCH", "/api/v1/courses/" + std::string(pub["id"]), json{{"title", "Replayed, renamed"}},
                   *owner_)
                  .status,
              200);
    const auto gone = draftWithALecture("Deleted " + newUuid().substr(30));
    EXPECT_EQ(call(port(), "DELETE", "/api/v1/courses/" + std::string(gone["id"]), std::nullopt, *owner_).status, 204);
    const auto draft = draftWithALecture("Draft " + newUuid().substr(30));
    const std::string lecture = "/api/v1/courses/" + std::string(draft["id"]) + "/sections/" +
                                std::string(draft["sections"][0]["id"]) + "/lectures/" +
                                std::string(draft["sections"][0]["lectures"][0]["id"]);
    EXPECT_EQ(call(port(), "DELETE", lecture, std::nullopt, *owner_).status, 204);
    pg::Connection c(db_->url());
    auto dumpAll = [&] {
        return test::dumpTable(c, "lms_rm.courses", "course_id") + test::dumpTable(c, "lms_rm.course_slugs", "slug") +
               test::dumpTable(c, "lms_rm.sections", "course_id, section_id") +
               test::dumpTable(c, "lms_rm.lectures", "course_id, lecture_id");
    };
    const auto live = dumpAll();
    ASSERT_GE(c.exec("SELECT count(*) FROM lms_rm.courses").i64(0, 0), 3);
    auto [status, out] = test::runLms({"replay"}, server_->env());
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("catalog:"), std::string::npos) << out;
    EXPECT_EQ(dumpAll(), live);
}

}  // namespace
}  // namespace lms
