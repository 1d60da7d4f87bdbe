// The course aggregate, given events, when a command, then events or a refusal; slugs and the
// value rules. No I/O.
#include <gtest/gtest.h>

#include <set>

#include "domain/catalog/course.hpp"
#include "domain/catalog/slug.hpp"
#include "tests/support/given_when_then.hpp"

namespace lms::domain::catalog {
namespace {

using nlohmann::json;
using test::given;

constexpr std::int64_t kT0 = 1'795'000'000'000'000;

const Actor kOwner{"i1", "INSTRUCTOR"};
const Actor kOther{"i2", "INSTRUCTOR"};
const Actor kAdmin{"a1", "ADMIN"};
const Actor kStudent{"s1", "STUDENT"};

CourseDetails details() {
    return {
        "Rust for C++ programmers", "Ownership, borrowing\nand lifetimes.", 4900, "USD", "PROGRAMMING", "INTERMEDIATE",
        {"rust", "systems"}};
}

DomainEvent created() {
    return {"CourseCreated",
            1,
            {{"courseId", "c1"},
             {"instructorId", "i1"},
             {"slug", "rust-for-c-programmers"},
             {"title", "Rust for C++ programmers"},
             {"description", "Ownership, borrowing\nand lifetimes."},
             {"price", 4900},
             {"currency", "USD"},
             {"category", "PROGRAMMING"},
             {"difficulty", "INTERMEDIATE"},
             {"tags", {"rust", "systems"}},
             {"at", kT0}}};
}
DomainEvent sectionAdded(const std::string& id, std::int64_t order) {
    return {"SectionAdded", 1, {{"sectionId", id}, {"title", "Section " + id}, {"order", order}, {"at", kT0}}};
}
DomainEvent lectureAdded(const std::string& section, const std::string& id, std::int64_t order) {
    return {"LectureAdded",
            1,
            {{"sectionId", section},
             {"lectureId", id},
             {"order", order},
             {"title", "Lecture " + id},
             {"content", "..."},
             {"durationMinutes", 12},
             {"resourceUrls", json::array()},
             {"preview", false},
             {"type", "VIDEO"},
             {"at", kT0}}};
}
DomainEvent simple(const std::string& type, std::int64_t at = kT0) { return {type, 1, {{"at", at}}}; }

std::vector<DomainEvent> withALecture() { return {created(), sectionAdded("s1", 1), lectureAdded("s1", "l1", 1)}; }
std::vector<DomainEvent> inReview() {
    auto h = withALecture();
    h.push_back(simple("CourseSubmitted"));
    return h;
}
std::vector<DomainEvent> published() {
    auto h = inReview();
    h.push_back(simple("CourseApproved"));
    return h;
}

std::set<std::string> fieldsOf(const Decision& d) {
    std::set<std::string> out;
    if (!d) {
        for (const auto& e : d.error().errors) out.insert(e.field);
    }
    return out;
}

TEST(Course, AnInstructorCreatesADraftWithTrimmedTitleAndDistinctTags) {
    auto d = details();
    d.title = "  Rust for C++ programmers ";
    d.tags = {"rust", " Rust", "systems"};
    given<Course>({})
        .when(CreateCourse{CourseId("c1"), kOwner, "rust-for-c-programmers", d, kT0})
        .then({{"CourseCreated", created().data}});
    const auto s = Course::evolve(Course::initial(), created());
    EXPECT_EQ(s.status, CourseStatus::Draft);
    EXPECT_EQ(s.version, 1);
    EXPECT_EQ(s.instructorId, "i1");
}

TEST(Course, OnlyInstructorsAndAdminsCreate) {
    given<Course>({}).when(CreateCourse{CourseId("c1"), kStudent, "x", details(), kT0}).thenRefused("instructors_only");
    given<Course>({}).when(CreateCourse{CourseId("c1"), kAdmin, "x", details(), kT0}).then({{"CourseCreated", [] {
                                                                                                 auto j = created().data;
                                                                                                 j["instructorId"] =
                                                                                                     "a1";
                                                                                                 j["slug"] = "x";
                                                                                                 return j;
                                                                                             }()}});
    given<Course>({created()})
        .when(CreateCourse{CourseId("c1"), kOwner, "x", details(), kT0})
        .thenRefused("course_exists");
}

TEST(Course, EveryInvalidFieldIsNamedInOneRefusal) {
    CourseDetails bad{"ab",
                      std::string(20'001, 'x'),
                      -1,
                      "usd",
                      "COOKING",
                      "HARD",
                      {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}};
    const auto d = Course::decide(Course::initial(), CreateCourse{CourseId("c1"), kOwner, "x", bad, kT0});
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().kind, DomainError::Kind::Validation);
    EXPECT_EQ(fieldsOf(d),
              (std::set<std::string>{"title", "description", "price", "currency", "category", "difficulty", "tags"}));
    // Characters, not bytes: 200 × "é" is a valid title, 201 is not.
    std::string accents;
    for (int i = 0; i < 200; ++i) accents += "é";
    auto ok = details();
    ok.title = accents;
    EXPECT_TRUE(Course::decide(Course::initial(), CreateCourse{CourseId("c1"), kOwner, "x", ok, kT0}).has_value());
    ok.title += "é";
    EXPECT_EQ(fieldsOf(Course::decide(Course::initial(), CreateCourse{CourseId("c1"), kOwner, "x", ok, kT0})),
              (std::set<std::string>{"title"}));
    // A line break is fine in a description, not in a title or a tag.
    ok = details();
    ok.title = "Two\nlines";
    ok.tags = {"ta\tb"};
    EXPECT_EQ(fieldsOf(Course::decide(Course::initial(), CreateCourse{CourseId("c1"), kOwner, "x", ok, kT0})),
              (std::set<std::string>{"title", "tags"}));
}

TEST(Course, AnotherInstructorCannotChangeTheCourseButAnAdminCan) {
    UpdateCourse u{kOther};
    u.price = 0;
    u.at = kT0 + 1;
    given<Course>({created()}).when(u).thenRefused("not_course_owner");
    u.actor = kAdmin;
    given<Course>({created()}).when(u).then({{"CourseUpdated", {{"price", 0}, {"at", kT0 + 1}}}});
    given<Course>({created()})
        .when(AddSection{kOther, SectionId("s1"), "Intro", std::nullopt, std::nullopt, kT0})
        .thenRefused("not_course_owner");
}

TEST(Course, AnUpdateCarriesOnlyWhatChangedAndARenameItsNewSlug) {
    UpdateCourse same{kOwner};
    same.title = "Rust for C++ programmers";
    same.price = 4900;
    same.slug = "rust-for-c-programmers";
    given<Course>({created()}).when(same).then({});
    UpdateCourse rename{kOwner};
    rename.title = "Rust for C++ developers";
    rename.slug = "rust-for-c-developers";
    rename.at = kT0 + 5;
    given<Course>({created()})
        .when(rename)
        .then({{"CourseUpdated",
                {{"title", "Rust for C++ developers"}, {"slug", "rust-for-c-developers"}, {"at", kT0 + 5}}}})
        .when(same)
        .then({{"CourseUpdated",
                {{"title", "Rust for C++ programmers"}, {"slug", "rust-for-c-programmers"}, {"at", 0}}}});
    auto s = Course::initial();
    for (const auto& e : std::vector<DomainEvent>{
             created(), {"CourseUpdated", 1, {{"title", "Rust for C++ developers"}, {"slug", "rust-for-c-developers"}}}})
        s = Course::evolve(s, e);
    EXPECT_EQ(s.slugs, (std::vector<std::string>{"rust-for-c-programmers", "rust-for-c-developers"}));
    UpdateCourse invalid{kOwner};
    invalid.price = -5;
    invalid.category = "COOKING";
    EXPECT_EQ(fieldsOf(Course::decide(s, invalid)), (std::set<std::string>{"price", "category"}));
}

TEST(Course, IfMatchWithAStaleVersionIsRefusedAndWithTheCurrentOneApplies) {
    UpdateCourse u{kOwner};
    u.price = 100;
    u.ifMatch = 1;
    u.at = kT0 + 1;
    // Version 1 (created only): applies; after a section was added (version 2) it is stale.
    given<Course>({created()}).when(u).then({{"CourseUpdated", {{"price", 100}, {"at", kT0 + 1}}}});
    given<Course>({created(), sectionAdded("s1", 1)}).when(u).thenRefused("version_mismatch");
    const auto d = Course::decide(Course::evolve(Course::evolve(Course::initial(), created()), sectionAdded("s1", 1)),
                                  u);
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().kind, DomainError::Kind::Stale);
    // An event of a type this build does not know still counts in the version.
    auto s = Course::evolve(Course::initial(), created());
    s = Course::evolve(s, DomainEvent{"CourseSomethingNew", 1, {{"at", kT0}}});
    EXPECT_EQ(s.version, 2);
}

TEST(Course, TheReviewCycle) {
    // Nothing to review yet: no lecture.
    given<Course>({created()}).when(SubmitCourse{kOwner, std::nullopt, kT0}).thenRefused("course_incomplete");
    given<Course>(withALecture())
        .when(SubmitCourse{kOwner, std::nullopt, kT0 + 1})
        .then({{"CourseSubmitted", {{"at", kT0 + 1}}}})
        .when(SubmitCourse{kOwner, std::nullopt, kT0 + 2})
        .then({})  // already in review
        .when(ApproveCourse{kOwner, std::nullopt, kT0 + 3})
        .thenRefused("admin_only")
        .when(RejectCourse{kAdmin, "  ", std::nullopt, kT0 + 3})
        .thenRefused("validation_failed")
        .when(RejectCourse{kAdmin, "Audio is too quiet", std::nullopt, kT0 + 3})
        .then({{"CourseRejected", {{"reason", "Audio is too quiet"}, {"at", kT0 + 3}}}})
        .when(ApproveCourse{kAdmin, std::nullopt, kT0 + 4})
        .thenRefused("invalid_status")
        .when(SubmitCourse{kOwner, std::nullopt, kT0 + 5})
        .then({{"CourseSubmitted", {{"at", kT0 + 5}}}})
        .when(ApproveCourse{kAdmin, std::nullopt, kT0 + 6})
        .then({{"CourseApproved", {{"at", kT0 + 6}}}})
        .when(ApproveCourse{kAdmin, std::nullopt, kT0 + 7})
        .then({})
        .when(SubmitCourse{kOwner, std::nullopt, kT0 + 8})
        .thenRefused("invalid_status")
        .when(UnpublishCourse{kOwner, std::nullopt, kT0 + 9})
        .then({{"CourseUnpublished", {{"at", kT0 + 9}}}})
        .when(UnpublishCourse{kOwner, std::nullopt, kT0 + 10})
        .thenRefused("invalid_status");
}

TEST(Course, APublishedCourseCanStillBeEditedAndStaysPublished) {
    UpdateCourse u{kOwner};
    u.description = "Now with async.";
    u.at = kT0 + 1;
    auto s = Course::initial();
    for (const auto& e : published()) s = Course::evolve(s, e);
    const auto d = Course::decide(s, u);
    ASSERT_TRUE(d.has_value());
    s = Course::evolve(s, (*d)[0]);
    EXPECT_EQ(s.status, CourseStatus::Published);
    EXPECT_EQ(s.details.description, "Now with async.");
}

TEST(Course, ADeletedCourseIsGoneForEveryCommand) {
    auto history = published();
    history.push_back(simple("CourseDeleted"));
    given<Course>(published()).when(DeleteCourse{kOther, std::nullopt, kT0}).thenRefused("not_course_owner");
    given<Course>(published())
        .when(DeleteCourse{kOwner, std::nullopt, kT0 + 1})
        .then({{"CourseDeleted", {{"at", kT0 + 1}}}});
    given<Course>(history).when(DeleteCourse{kOwner, std::nullopt, kT0}).thenRefused("course_not_found");
    given<Course>(history).when(UpdateCourse{kAdmin}).thenRefused("course_not_found");
    given<Course>(history).when(ApproveCourse{kAdmin, std::nullopt, kT0}).thenRefused("course_not_found");
    given<Course>({}).when(SubmitCourse{kOwner, std::nullopt, kT0}).thenRefused("course_not_found");
}

TEST(Course, SectionsAreAddedLastByDefaultReorderedAndRemovedWithTheirLectures) {
    given<Course>({created(), sectionAdded("s1", 1)})
        .when(AddSection{kOwner, SectionId("s2"), " Basics ", std::nullopt, std::nullopt, kT0 + 1})
        .then({{"SectionAdded", {{"sectionId", "s2"}, {"title", "Basics"}, {"order", 2}, {"at", kT0 + 1}}}})
        .when(AddSection{kOwner, SectionId("s2"), "Again", std::nullopt, std::nullopt, kT0 + 1})
        .thenRefused("section_exists")
        .when(AddSection{kOwner, SectionId("s3"), "", 0, std::nullopt, kT0 + 1})
        .thenRefused("validation_failed")
        .when(UpdateSection{kOwner, SectionId("s2"), std::nullopt, 1, std::nullopt, kT0 + 2})
        .then({{"SectionUpdated", {{"sectionId", "s2"}, {"order", 1}, {"at", kT0 + 2}}}})
        .when(UpdateSection{kOwner, SectionId("s2"), std::string("Basics"), 1, std::nullopt, kT0 + 3})
        .then({})
        .when(UpdateSection{kOwner, SectionId("nope"), std::string("x"), std::nullopt, std::nullopt, kT0 + 3})
        .thenRefused("section_not_found");
    auto history = withALecture();
    given<Course>(history)
        .when(RemoveSection{kOwner, SectionId("s1"), std::nullopt, kT0 + 1})
        .then({{"SectionRemoved", {{"sectionId", "s1"}, {"at", kT0 + 1}}}})
        .when(RemoveLecture{kOwner, SectionId("s1"), LectureId("l1"), std::nullopt, kT0 + 2})
        .thenRefused("lecture_not_found");  // it went with its section
}

TEST(Course, LecturesAreValidatedPlacedMovedAndRemoved) {
    LectureDetails bad{"", std::string(100'001, 'x'), -3, {"javascript:alert(1)"}, false, "PODCAST"};
    const auto d = Course::decide(
        [] {
            auto s = Course::initial();
            for (const auto& e : withALecture()) s = Course::evolve(s, e);
            return s;
        }(),
        AddLecture{kOwner, SectionId("s1"), LectureId("l2"), bad, 0, std::nullopt, kT0});
    EXPECT_EQ(fieldsOf(d), (std::set<std::string>{"title", "content", "duration", "resourceUrls", "type", "order"}));

    LectureDetails ok{"Borrowing", "text", 15, {"https://example.org/notes.pdf"}, true, "TEXT"};
    auto history = withALecture();
    history.push_back(sectionAdded("s2", 2));
    given<Course>(history)
        .when(AddLecture{kOwner, SectionId("s1"), LectureId("l2"), ok, std::nullopt, std::nullopt, kT0 + 1})
        .then({{"LectureAdded",
                {{"sectionId", "s1"},
                 {"lectureId", "l2"},
                 {"order", 2},
                 {"title", "Borrowing"},
                 {"content", "text"},
                 {"durationMinutes", 15},
                 {"resourceUrls", {"https://example.org/notes.pdf"}},
                 {"preview", true},
                 {"type", "TEXT"},
                 {"at", kT0 + 1}}}})
        .when(AddLecture{kOwner, SectionId("s9"), LectureId("l3"), ok, std::nullopt, std::nullopt, kT0 + 1})
        .thenRefused("section_not_found")
        // Asked for through the wrong section: not found, as if it did not exist.
        .when(UpdateLecture{kOwner, SectionId("s2"), LectureId("l2")})
        .thenRefused("lecture_not_found")
        .when([] {
            UpdateLecture u{kOwner, SectionId("s1"), LectureId("l2")};
            u.moveTo = SectionId("s2");
            u.preview = false;
            u.at = kT0 + 2;
            return u;
        }())
        .then({{"LectureUpdated",
                {{"sectionId", "s2"}, {"lectureId", "l2"}, {"order", 1}, {"preview", false}, {"at", kT0 + 2}}}})
        .when(RemoveLecture{kOwner, SectionId("s2"), LectureId("l2"), std::nullopt, kT0 + 3})
        .then({{"LectureRemoved", {{"lectureId", "l2"}, {"at", kT0 + 3}}}});
}

TEST(Slug, AnyScriptNeverEmpty) {
    EXPECT_EQ(slugify("Rust for C++ programmers"), "rust-for-c-programmers");
    EXPECT_EQ(slugify("Café & Crème brûlée"), "cafe-creme-brulee");
    EXPECT_EQ(slugify("Straße nach Łódź"), "strasse-nach-lodz");
    EXPECT_EQ(slugify("Cafe\xCC\x81"), "cafe") << "a decomposed é folds like a composed one";
    EXPECT_EQ(slugify("Програмування на C"), "програмування-на-c");
    EXPECT_EQ(slugify("日本語の文法 入門"), "日本語の文法-入門");
    EXPECT_EQ(slugify("हिन्दी व्याकरण"), "हिन्दी-व्याकरण") << "the vowel signs belong to the word";
    EXPECT_EQ(slugify("  --!!  "), "course");
    EXPECT_EQ(slugify("🎸🎸🎸"), "course");
    EXPECT_EQ(slugify("a\xFF"
                      "b"),
              "a-b")
        << "an invalid byte is a separator";
    const auto longOne = slugify(std::string(300, 'x'));
    EXPECT_EQ(longOne.size(), 80u);
    std::string cyr;
    for (int i = 0; i < 60; ++i) cyr += "ж";
    const auto cut = slugify(cyr);
    EXPECT_LE(cut.size(), 80u);
    EXPECT_EQ(cut.size() % 2, 0u) << "cut at a character boundary";
    EXPECT_EQ(slugCandidate("intro", 1), "intro");
    EXPECT_EQ(slugCandidate("intro", 3), "intro-3");
}

TEST(Currency, Iso4217Codes) {
    EXPECT_TRUE(isCurrency("USD"));
    EXPECT_TRUE(isCurrency("INR"));
    EXPECT_TRUE(isCurrency("EUR"));
    EXPECT_FALSE(isCurrency("usd"));
    EXPECT_FALSE(isCurrency("XYZ"));
    EXPECT_FALSE(isCurrency(""));
}

}  // namespace
}  // namespace lms::domain::catalog
