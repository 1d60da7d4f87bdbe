// The catalog read model against a real PostgreSQL: a course's life as the public and its
// instructor see it, replays that change nothing, full-text search (ranking, accents, prefixes,
// scripts other than Latin), hostile search strings, filters, sorts and pages.
#include <gtest/gtest.h>

#include <algorithm>

#include "common/ids.hpp"
#include "domain/catalog/events.hpp"
#include "eventstore/event_store.hpp"
#include "projections/catalog/projection.hpp"
#include "projections/catalog/queries.hpp"
#include "projections/identity/projection.hpp"
#include "projections/runner.hpp"
#include "tests/support/dump.hpp"
#include "tests/support/pg_fixture.hpp"

namespace lms {
namespace {

namespace dc = domain::catalog;
namespace rm = projections::catalog;
using eventstore::EventStore;
using eventstore::ExpectedVersion;
using eventstore::NewEvent;

constexpr std::int64_t kT0 = 1'795'000'000'000'000;  // microseconds
constexpr std::int64_t kMinute = 60'000'000;

// A database with the identity and catalog read models built, and courses written as events.
class Catalog {
public:
    Catalog() : c(db.url()) {
        projections::ensure(c, identity);
        projections::ensure(c, catalog);
    }

    // Appends the event to the course's stream; with `inlined`, also applies it in the append's
    // transaction, as the catalog's commands do (read-your-writes). The runner applies it (again) later.
    template <class E>
    void add(const std::string& courseId, const E& e, bool inlined = false) {
        const auto d = dc::CourseEvents::encode(e);
        const NewEvent ne{newUuid(), d.type, d.schemaVersion, d.data.dump(), R"({"actorId":"catalog-pgtest"})"};
        const std::string stream = dc::courseStream(dc::CourseId(courseId));
        pg::Transaction tx(c);
        const auto r = EventStore(c).append(stream, ExpectedVersion::any(), {ne});
        ASSERT_TRUE(r.has_value());
        if (inlined) {
            eventstore::RecordedEvent rec;
            rec.streamId = stream;
            rec.version = r->version.value();
            rec.eventId = ne.eventId;
            rec.type = ne.type;
            rec.schemaVersion = ne.schemaVersion;
            rec.data = ne.data;
            rec.metadata = ne.metadata;
            rec.recordedAtUs = kT0;
            projections::applyInline(c, catalog, {rec});
        }
        tx.commit();
    }

    int catchUp() {
        projections::Runner runner(c, catalog, 7);
        int total = 0;
        while (const int n = runner.step()) total += n;
        return total;
    }

    // A user of the identity read model, as its projection would have written it.
    std::string user(const std::string& first, const std::string& last, const std::string& status = "ACTIVE") {
        auto id = newUuid();
        c.query(
            "INSERT INTO lms_rm.users (user_id, version, email, email_norm, first_name, last_name, role, status, "
            "password_hash, created_at, updated_at) VALUES ($1, 1, $2, $2, $3, $4, 'INSTRUCTOR', $5, '', now(), now())",
            {id, id + "@example.com", status == "DELETED" ? pg::Param() : pg::Param(first),
             status == "DELETED" ? pg::Param() : pg::Param(last), status});
        return id;
    }

    // A course created and, unless told otherwise, submitted and approved; `minute` orders them in time.
    std::string course(const std::string& title, const std::string& slug, std::int64_t minute,
                       const std::string& instructor, dc::CourseDetails d = {}, bool publish = true) {
        auto id = newUuid();
        d.title = title;
        if (d.description.empty()) d.description = "A course.";
        if (d.currency.empty()) d.currency = "EUR";
        if (d.category.empty()) d.category = "OTHER";
        if (d.difficulty.empty()) d.difficulty = "BEGINNER";
        add(id, dc::CourseCreated{dc::CourseId(id), instructor, slug, d, at(minute)});
        if (publish) {
            add(id, dc::CourseSubmitted{at(minute)});
            add(id, dc::CourseApproved{at(minute)});
        }
        return id;
    }

    static std::int64_t at(std::int64_t minute) { return kT0 + minute * kMinute; }

    std::string dump() {
        return test::dumpTable(c, "lms_rm.courses", "course_id") + test::dumpTable(c, "lms_rm.course_slugs", "slug") +
               test::dumpTable(c, "lms_rm.sections", "course_id, section_id") +
               test::dumpTable(c, "lms_rm.lectures", "course_id, lecture_id");
    }

    test::TestDatabase db;
    pg::Connection c;
    projections::identity::Identity identity;
    rm::Catalog catalog;
};

std::vector<std::string> titles(const Page<rm::CourseRow>& p) {
    std::vector<std::string> out;
    for (const auto& x : p.items) out.push_back(x.title);
    return out;
}

rm::CourseFilter search(const std::string& q) {
    rm::CourseFilter f;
    f.q = q;
    f.sort = rm::Sort::Relevance;
    return f;
}

dc::LectureAdded lecture(const std::string& section, const std::string& id, std::int64_t order, std::int64_t minutes) {
    dc::LectureAdded e;
    e.sectionId = dc::SectionId(section);
    e.lectureId = dc::LectureId(id);
    e.order = order;
    e.details.title = "Lecture " + id;
    e.details.content = "content of " + id;
    e.details.durationMinutes = minutes;
    e.details.resourceUrls = {"https://example.com/" + id + ".pdf", "https://example.com/\"quoted\"\\" + id};
    e.at = Catalog::at(1);
    return e;
}

// One course's whole life, the sub-entities included; `inlined` as in Catalog::add.
std::string lifeOfACourse(Catalog& t, const std::string& instructor, const std::string& slug, bool inlined) {
    auto id = newUuid();
    dc::CourseDetails d{"Rust for Pythonistas", "Ownership explained", 4900, "EUR", "PROGRAMMING",
                        "INTERMEDIATE",         {"rust", "Systems"}};
    t.add(id, dc::CourseCreated{dc::CourseId(id), instructor, slug, d, Catalog::at(0)}, inlined);
    t.add(id, dc::SectionAdded{dc::SectionId("s1"), "Basics", 1, Catalog::at(1)}, inlined);
    t.add(id, dc::SectionAdded{dc::SectionId("s2"), "Borrowing", 2, Catalog::at(1)}, inlined);
    t.add(id, dc::SectionAdded{dc::SectionId("s3"), "Extras", 1, Catalog::at(1)}, inlined);  // order 1 too: after s1
    t.add(id, lecture("s1", "l1", 1, 10), inlined);
    t.add(id, lecture("s1", "l2", 1, 5), inlined);  // order 1 too: after l1
    t.add(id, lecture("s2", "l3", 1, 20), inlined);
    t.add(id, lecture("s3", "l4", 1, 7), inlined);
    t.add(id, dc::CourseSubmitted{Catalog::at(2)}, inlined);
    t.add(id, dc::CourseApproved{Catalog::at(3)}, inlined);
    dc::CourseUpdated renamed;
    renamed.title = "Rust for Python programmers";
    renamed.slug = slug + "-renamed";
    renamed.price = 5900;
    renamed.tags = std::vector<std::string>{"rust", "python"};
    renamed.at = Catalog::at(4);
    t.add(id, renamed, inlined);
    dc::LectureUpdated moved;
    moved.sectionId = dc::SectionId("s2");
    moved.lectureId = dc::LectureId("l1");
    moved.order = 2;
    moved.title = "Lifetimes";
    moved.at = Catalog::at(5);
    t.add(id, moved, inlined);
    t.add(id, dc::SectionUpdated{dc::SectionId("s3"), std::string("Appendix"), 3, Catalog::at(5)}, inlined);
    t.add(id, dc::SectionRemoved{dc::SectionId("s3"), Catalog::at(6)}, inlined);  // takes l4 with it
    return id;
}

TEST(CatalogReadModel, TheLifeOfACourse) {
    Catalog t;
    const auto ada = t.user("Ada", "Lovelace");
    const auto id = newUuid();
    dc::CourseDetails d{"Rust for Pythonistas", "Ownership explained", 4900,    "EUR",
                        "PROGRAMMING",          "INTERMEDIATE",        {"rust"}};
    t.add(id, dc::CourseCreated{dc::CourseId(id), ada, "rust-for-pythonistas", d, Catalog::at(0)});
    t.catchUp();
    EXPECT_EQ(rm::listPublished(t.c, {}, {}).totalItems, 0) << "a draft is not listed";
    auto found = rm::findCourse(t.c, "rust-for-pythonistas");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->course.status, "DRAFT");
    EXPECT_EQ(found->course.id.value(), id);
    EXPECT_FALSE(found->course.publishedAt);
    ASSERT_TRUE(rm::findCourse(t.c, id));

    t.add(id, dc::SectionAdded{dc::SectionId("s1"), "Basics", 1, Catalog::at(1)});
    t.add(id, dc::SectionAdded{dc::SectionId("s2"), "Borrowing", 2, Catalog::at(1)});
    t.add(id, dc::SectionAdded{dc::SectionId("s3"), "Extras", 1, Catalog::at(1)});
    t.add(id, lecture("s1", "l1", 1, 10));
    t.add(id, lecture("s1", "l2", 1, 5));
    t.add(id, lecture("s2", "l3", 1, 20));
    t.add(id, lecture("s3", "l4", 1, 7));
    t.add(id, dc::CourseSubmitted{Catalog::at(2)});
    t.catchUp();
    EXPECT_EQ(rm::listPublished(t.c, {}, {}).totalItems, 0) << "in review is not listed";
    const auto queue = rm::coursesInStatus(t.c, "IN_REVIEW", {});
    ASSERT_EQ(queue.totalItems, 1);
    EXPECT_EQ(queue.items[0].submittedAt, "2026-11-18T11:08:40.000000Z");

    t.add(id, dc::CourseApproved{Catalog::at(3)});
    t.catchUp();
    auto listed = rm::listPublished(t.c, {}, {});
    ASSERT_EQ(listed.totalItems, 1);
    const auto& row = listed.items[0];
    EXPECT_EQ(row.status, "PUBLISHED");
    EXPECT_EQ(row.instructorId, ada);
    EXPECT_EQ(row.instructorName, "Ada Lovelace");
    EXPECT_EQ(row.lectureCount, 4);
    EXPECT_EQ(row.totalMinutes, 42);
    EXPECT_EQ(row.version, 10);
    EXPECT_EQ(row.createdAt, "2026-11-18T11:06:40.000000Z");
    EXPECT_EQ(row.updatedAt, "2026-11-18T11:09:40.000000Z");
    EXPECT_EQ(row.publishedAt, "2026-11-18T11:09:40.000000Z");
    EXPECT_EQ(row.tags, std::vector<std::string>{"rust"});
    EXPECT_EQ(row.price, 4900);

    found = rm::findCourse(t.c, id);
    ASSERT_TRUE(found);
    ASSERT_EQ(found->sections.size(), 3u);
    EXPECT_EQ(found->sections[0].id, "s1");
    EXPECT_EQ(found->sections[1].id, "s3") << "equal orders: by when they were added";
    EXPECT_EQ(found->sections[2].id, "s2");
    ASSERT_EQ(found->sections[0].lectures.size(), 2u);
    EXPECT_EQ(found->sections[0].lectures[0].id, "l1");
    EXPECT_EQ(found->sections[0].lectures[1].id, "l2");
    const auto& l1 = found->sections[0].lectures[0];
    EXPECT_EQ(l1.sectionId, "s1");
    EXPECT_EQ(l1.durationMinutes, 10);
    EXPECT_EQ(l1.type, "VIDEO");
    EXPECT_EQ(l1.content, "content of l1");
    EXPECT_EQ(l1.resourceUrls,
              (std::vector<std::string>{"https://example.com/l1.pdf", "https://example.com/\"quoted\"\\l1"}));

    // Renamed: the old slug keeps leading to the course, which answers with its new one.
    dc::CourseUpdated renamed;
    renamed.title = "Rust for Python programmers";
    renamed.slug = "rust-for-python-programmers";
    renamed.price = 5900;
    renamed.at = Catalog::at(4);
    t.add(id, renamed);
    // A lecture moved to another section, a section reordered, one removed with its lecture.
    dc::LectureUpdated moved;
    moved.sectionId = dc::SectionId("s2");
    moved.lectureId = dc::LectureId("l1");
    moved.order = 2;
    moved.title = "Lifetimes";
    moved.preview = true;
    moved.at = Catalog::at(5);
    t.add(id, moved);
    t.add(id, dc::SectionUpdated{dc::SectionId("s3"), std::string("Appendix"), 3, Catalog::at(5)});
    t.add(id, dc::SectionUpdated{dc::SectionId("s2"), std::nullopt, 1, Catalog::at(5)});
    t.add(id, dc::SectionRemoved{dc::SectionId("s3"), Catalog::at(6)});
    t.catchUp();
    for (const std::string key : {"rust-for-pythonistas", "rust-for-python-programmers", "Rust-For-Pythonistas"}) {
        found = rm::findCourse(t.c, key);
        ASSERT_TRUE(found) << key;
        EXPECT_EQ(found->course.id.value(), id);
        EXPECT_EQ(found->course.slug, "rust-for-python-programmers");
        EXPECT_EQ(found->course.title, "Rust for Python programmers");
        EXPECT_EQ(found->course.price, 5900);
        EXPECT_EQ(found->course.tags, std::vector<std::string>{"rust"}) << "what an update does not name stays";
    }
    found = rm::findCourse(t.c, id);
    ASSERT_EQ(found->sections.size(), 2u);
    EXPECT_EQ(found->sections[0].id, "s1");
    EXPECT_EQ(found->sections[1].id, "s2") << "s2 moved to order 1: after s1, added before it";
    ASSERT_EQ(found->sections[0].lectures.size(), 1u);
    EXPECT_EQ(found->sections[0].lectures[0].id, "l2");
    ASSERT_EQ(found->sections[1].lectures.size(), 2u);
    EXPECT_EQ(found->sections[1].lectures[0].id, "l3");
    EXPECT_EQ(found->sections[1].lectures[1].id, "l1");
    EXPECT_EQ(found->sections[1].lectures[1].sectionId, "s2");
    EXPECT_EQ(found->sections[1].lectures[1].title, "Lifetimes");
    EXPECT_TRUE(found->sections[1].lectures[1].preview);
    EXPECT_EQ(found->sections[1].lectures[1].durationMinutes, 10) << "what an update does not name stays";
    EXPECT_EQ(found->course.lectureCount, 3) << "l4 went with its section";
    EXPECT_EQ(found->course.totalMinutes, 35);

    t.add(id, dc::LectureRemoved{dc::LectureId("l2"), Catalog::at(7)});
    t.catchUp();
    found = rm::findCourse(t.c, id);
    EXPECT_TRUE(found->sections[0].lectures.empty());
    EXPECT_EQ(found->course.lectureCount, 2);
    EXPECT_EQ(found->course.totalMinutes, 30);
    EXPECT_EQ(found->course.version, 16);

    // Rejected, then (another course) unpublished: off the public list, still the instructor's.
    const auto other = t.course("Go in practice", "go-in-practice", 8, ada);
    t.catchUp();
    EXPECT_EQ(rm::listPublished(t.c, {}, {}).totalItems, 2);
    t.add(other, dc::CourseUnpublished{Catalog::at(9)});
    t.catchUp();
    listed = rm::listPublished(t.c, {}, {});
    ASSERT_EQ(listed.totalItems, 1);
    EXPECT_EQ(listed.items[0].id.value(), id);
    found = rm::findCourse(t.c, "go-in-practice");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->course.status, "DRAFT");
    EXPECT_FALSE(found->course.publishedAt);
    t.add(other, dc::CourseSubmitted{Catalog::at(10)});
    t.add(other, dc::CourseRejected{"needs exercises", Catalog::at(11)});
    t.catchUp();
    found = rm::findCourse(t.c, other);
    EXPECT_EQ(found->course.status, "REJECTED");
    EXPECT_EQ(found->course.rejectionReason, "needs exercises");
    EXPECT_EQ(rm::coursesInStatus(t.c, "REJECTED", {}).totalItems, 1);
    EXPECT_EQ(titles(rm::coursesOf(t.c, ada, {})),
              (std::vector<std::string>{"Go in practice", "Rust for Python programmers"}));

    // Deleted: gone from every query but the slug's owner (a slug is never handed out twice).
    t.add(id, dc::CourseDeleted{Catalog::at(12)});
    t.catchUp();
    EXPECT_EQ(rm::listPublished(t.c, {}, {}).totalItems, 0);
    EXPECT_FALSE(rm::findCourse(t.c, id));
    EXPECT_FALSE(rm::findCourse(t.c, "rust-for-pythonistas"));
    EXPECT_FALSE(rm::findCourse(t.c, "rust-for-python-programmers"));
    EXPECT_EQ(titles(rm::coursesOf(t.c, ada, {})), std::vector<std::string>{"Go in practice"});
    EXPECT_EQ(rm::coursesInStatus(t.c, "DELETED", {}).totalItems, 0);
    ASSERT_TRUE(rm::courseOfSlug(t.c, "rust-for-pythonistas"));
    EXPECT_EQ(rm::courseOfSlug(t.c, "rust-for-pythonistas")->value(), id);
    EXPECT_EQ(rm::courseOfSlug(t.c, "rust-for-python-programmers")->value(), id);
    EXPECT_FALSE(rm::courseOfSlug(t.c, "no-such-course"));

    // What is neither an id nor a slug finds nothing, and is no SQL error.
    for (const auto& key :
         std::vector<std::string>{"", "not-a-uuid", "00000000-0000-0000-0000-00000000000g", "'; DROP TABLE x; --",
                                  "\xff\xfe", std::string(10000, '%'), newUuid()}) {
        EXPECT_FALSE(rm::findCourse(t.c, key));
        EXPECT_FALSE(rm::courseOfSlug(t.c, key));
    }
    EXPECT_EQ(rm::coursesOf(t.c, "not-a-uuid", {}).totalItems, 0);
}

TEST(CatalogReadModel, AnErasedInstructorHasNoName) {
    Catalog t;
    const auto erased = t.user("", "", "DELETED");
    t.course("Gone but taught", "gone-but-taught", 0, erased);
    t.course("Taught by nobody known", "nobody-known", 1, newUuid());
    t.course("Taught by a legacy id", "legacy-id", 2, "instructor-7");
    t.catchUp();
    const auto listed = rm::listPublished(t.c, {}, {});
    ASSERT_EQ(listed.totalItems, 3);
    for (const auto& row : listed.items) EXPECT_EQ(row.instructorName, "") << row.title;
    EXPECT_EQ(listed.items[0].instructorId, "") << "an instructor id that is no UUID is not kept";
}

TEST(CatalogReadModel, EveryEventAppliedTwiceOrRebuiltGivesTheSameTables) {
    Catalog t;
    const auto ada = t.user("Ada", "Lovelace");
    // Inline (read-your-writes) for some courses, then the runner applies everything once more.
    const auto a = lifeOfACourse(t, ada, "course-a", true);
    const auto b = lifeOfACourse(t, ada, "course-b", false);
    t.add(b, dc::CourseDeleted{Catalog::at(20)}, true);
    t.add(a, dc::LectureRemoved{dc::LectureId("l2"), Catalog::at(21)}, true);
    t.add(a, dc::CourseUnpublished{Catalog::at(22)}, true);
    t.add(a, dc::CourseSubmitted{Catalog::at(23)}, true);
    t.add(a, dc::CourseRejected{"why", Catalog::at(24)}, true);
    // A type this build does not know counts in the version, changes nothing else.
    {
        const auto r = EventStore(t.c).append(dc::courseStream(dc::CourseId(a)), ExpectedVersion::any(),
                                              {NewEvent{newUuid(), "CourseFeatured", 1, "{}", "{}"}});
        ASSERT_TRUE(r.has_value());
    }
    EXPECT_EQ(t.catchUp(), 34);
    const auto once = t.dump();
    ASSERT_NE(once.find("DELETED"), std::string::npos);
    EXPECT_EQ(rm::findCourse(t.c, a)->course.version, 19);

    // Every event again, one at a time, on top of the built read model: a replay of the whole
    // history in order would hide a missing guard (the later events would repair what an earlier
    // one undid); an event arriving once more on its own must change nothing.
    const auto all = EventStore(t.c).readAll({}, 1000);
    ASSERT_EQ(all.size(), 34u);
    for (const auto& e : all) {
        {
            pg::Transaction tx(t.c);
            projections::applyInline(t.c, t.catalog, {e});
            tx.commit();
        }
        ASSERT_EQ(t.dump(), once) << e.type << " at version " << e.version << " applied twice changed the read model";
    }
    {
        pg::Transaction tx(t.c);
        projections::applyInline(t.c, t.catalog, all);
        tx.commit();
    }
    EXPECT_EQ(t.dump(), once);

    // A rebuild from the first event gives the same tables.
    EXPECT_EQ(projections::rebuild(t.c, t.catalog), 34);
    EXPECT_EQ(t.dump(), once);
    ASSERT_TRUE(rm::findCourse(t.c, "course-a-renamed"));
    EXPECT_FALSE(rm::findCourse(t.c, "course-b")) << "deleted";
}

TEST(CatalogReadModel, SearchRanksTitleAboveTagsAboveDescription) {
    Catalog t;
    const auto ada = t.user("Ada", "Lovelace");
    dc::CourseDetails d;
    d.description = "Order a coffee in Paris, then a croissant.";
    d.tags = {"languages"};
    t.course("Café au lait: French for beginners", "cafe-au-lait", 0, ada, d);
    d = {};
    d.description = "Variables, loops and functions, from the very start.";
    t.course("Programming in C++ from scratch", "programming-in-cpp", 1, ada, d);
    d.description = "Основи для тих, хто починає.";
    t.course("Програмування для початківців", "програмування-для-початківців", 2, ada, d);
    d.description = "ゼロから始めましょう。";
    t.course("プログラミング入門", "プログラミング入門", 3, ada, d);
    d.description = "शुरुआत से सीखें।";
    t.course("हिन्दी में प्रोग्रामिंग सीखें", "हिन्दी-में-प्रोग्रामिंग-सीखें", 4, ada, d);
    d.description = "Pandas, plots and notebooks.";
    t.course("Python for data analysis", "python-for-data-analysis", 5, ada, d);
    d.description = "Spreadsheets that clean themselves.";
    d.tags = {"Python", "automation"};
    t.course("Data wrangling toolkit", "data-wrangling", 6, ada, d);
    // The word many times in the description still ranks below one tag or title.
    d.description = "Python scripts for office work: python here, python there, python everywhere, python.";
    d.tags = {"office"};
    t.course("Automating boring work", "automating-boring-work", 7, ada, d);
    d.description = "Python again.";
    d.tags = {};
    t.course("Draft about Python", "draft-about-python", 8, ada, d, false);
    t.catchUp();

    EXPECT_EQ(
        titles(rm::listPublished(t.c, search("python"), {})),
        (std::vector<std::string>{"Python for data analysis", "Data wrangling toolkit", "Automating boring work"}));
    EXPECT_EQ(titles(rm::listPublished(t.c, search("PYTH"), {})),
              (std::vector<std::string>{"Python for data analysis", "Data wrangling toolkit", "Automating boring work"}))
        << "the last word is a prefix; case does not matter";
    for (const std::string q : {"cafe", "CAFÉ", "café au", "french BEGINNERS", "caf"}) {
        EXPECT_EQ(titles(rm::listPublished(t.c, search(q), {})),
                  std::vector<std::string>{"Café au lait: French for beginners"})
            << q;
    }
    EXPECT_EQ(titles(rm::listPublished(t.c, search("croissant"), {})),
              std::vector<std::string>{"Café au lait: French for beginners"})
        << "a description word";
    EXPECT_EQ(titles(rm::listPublished(t.c, search("progr"), {})),
              std::vector<std::string>{"Programming in C++ from scratch"});
    EXPECT_EQ(titles(rm::listPublished(t.c, search("french python"), {})), std::vector<std::string>{})
        << "every word must match";
    EXPECT_EQ(titles(rm::listPublished(t.c, search("програмування"), {})),
              std::vector<std::string>{"Програмування для початківців"});
    EXPECT_EQ(titles(rm::listPublished(t.c, search("ПОЧАТ"), {})),
              std::vector<std::string>{"Програмування для початківців"})
        << "a Cyrillic prefix, upper-cased";
    // Japanese written without spaces is one token to PostgreSQL's parser: its first characters
    // find it as a prefix, a word from its middle (入門) does not.
    EXPECT_EQ(titles(rm::listPublished(t.c, search("プログラ"), {})), std::vector<std::string>{"プログラミング入門"});
    EXPECT_EQ(titles(rm::listPublished(t.c, search("入門"), {})), std::vector<std::string>{});
    EXPECT_EQ(titles(rm::listPublished(t.c, search("हिन्दी"), {})), std::vector<std::string>{"हिन्दी में प्रोग्रामिंग सीखें"});
    EXPECT_EQ(titles(rm::listPublished(t.c, search("सीखें"), {})), std::vector<std::string>{"हिन्दी में प्रोग्रामिंग सीखें"})
        << "a Devanagari word with its vowel signs";

    // Equal ranks (once in a title): the newest first; a description match after them.
    const auto p = rm::listPublished(t.c, search("for"), {});
    EXPECT_EQ(titles(p), (std::vector<std::string>{"Python for data analysis", "Café au lait: French for beginners",
                                                   "Automating boring work"}));
    // Without q relevance is newest first; with q and another sort, that sort.
    rm::CourseFilter all;
    all.sort = rm::Sort::Relevance;
    EXPECT_EQ(rm::listPublished(t.c, all, {}).items.front().title, "Automating boring work");
    auto byTitle = search("python");
    byTitle.sort = rm::Sort::Title;
    EXPECT_EQ(
        titles(rm::listPublished(t.c, byTitle, {})),
        (std::vector<std::string>{"Automating boring work", "Data wrangling toolkit", "Python for data analysis"}));
}

TEST(CatalogReadModel, HostileSearchStringsAreNoErrors) {
    Catalog t;
    const auto ada = t.user("Ada", "Lovelace");
    t.course("Café au lait: French for beginners", "cafe-au-lait", 0, ada);
    t.course("Alpha and beta", "alpha-and-beta", 1, ada);
    t.course("Programming in C++ from scratch", "programming-in-cpp", 2, ada);
    t.catchUp();

    std::string symbols;
    const std::string alphabet = "'\"&|!:*\\()<>-+~@#$%^{}[];,./?=` \t\n";
    while (symbols.size() < 10000) symbols += alphabet;
    symbols.resize(10000);
    std::string mixed;
    for (int i = 0; mixed.size() < 10000; ++i)
        mixed += (i % 3 == 0 ? "a" : "") + alphabet.substr(i % alphabet.size(), 1);
    std::string japanese;
    while (japanese.size() < 10000) japanese += "プ";
    std::string alphas;
    while (alphas.size() < 10000) alphas += "alpha ";

    // No word at all: everything matches.
    for (const auto& q : std::vector<std::string>{"", "'", "\"", "&", "|", "!", ":*", "\\", "(((", "''''", "\\'",
                                                  "!!!:*&|", "…", symbols, std::string("\xff\xfe\xfd"),
                                                  std::string("\xc3\x28"), std::string(1, '\0')}) {
        rm::CourseFilter f = search(q);
        Page<rm::CourseRow> p;
        ASSERT_NO_THROW(p = rm::listPublished(t.c, f, {})) << q.substr(0, 40);
        EXPECT_EQ(p.totalItems, 3) << q.substr(0, 40);
        EXPECT_EQ(p.items.size(), 3u);
    }
    // Words among the symbols are searched for, the symbols dropped.
    // Every course's description is "A course.": the word "a" and the prefix "c" find them all.
    const std::vector<std::pair<std::string, std::int64_t>> cases = {
        {"a & | b", 2},         // 'a' & 'b':*  (beginners, beta)
        {"alpha & | b", 1},     // 'alpha' & 'b':*
        {"alpha' | !beta", 1},  // quotes and operators separate words
        {"c++", 3},             // 'c':*
        {"caf\xc3", 1},         // an invalid byte ends the word: 'caf':*
        {"\xff"
         "cafe\xfe",
         1},                   // invalid bytes around a word
        {"caf\xc3\xa9:*", 1},  // café, then tsquery syntax
        {"(((alpha)))", 1},
        {"\\alpha\\", 1},
        {"\"alpha\"", 1},
        {"alpha:A", 1},                // 'alpha' & 'a':* (the weight syntax is just another word)
        {mixed, 3},                    // sixteen words "a" among ten thousand symbols
        {japanese, 0},                 // one word cut to its first 100 bytes
        {alphas, 1},                   // sixteen words "alpha"
        {std::string(10000, 'x'), 0},  // one long word
    };
    for (const auto& [q, expected] : cases) {
        Page<rm::CourseRow> p;
        ASSERT_NO_THROW(p = rm::listPublished(t.c, search(q), {})) << q.substr(0, 40);
        EXPECT_EQ(p.totalItems, expected) << q.substr(0, 40);
    }
    // Hostile filters too.
    rm::CourseFilter f;
    f.category = "\xff";
    EXPECT_EQ(rm::listPublished(t.c, f, {}).totalItems, 0);
    f = {};
    f.tag = "'\\\"";
    EXPECT_EQ(rm::listPublished(t.c, f, {}).totalItems, 0);
    f = {};
    f.instructorId = "'; DROP TABLE lms_rm.courses; --";
    EXPECT_EQ(rm::listPublished(t.c, f, {}).totalItems, 0);
    EXPECT_EQ(rm::coursesInStatus(t.c, "\xff", {}).totalItems, 0);
    EXPECT_EQ(rm::listPublished(t.c, {}, {}).totalItems, 3);
}

TEST(CatalogReadModel, FiltersSortsAndPages) {
    Catalog t;
    const auto ada = t.user("Ada", "Lovelace");
    const auto bob = t.user("Bob", "Builder");
    auto details = [](std::int64_t price, const char* category, const char* difficulty, std::vector<std::string> tags) {
        dc::CourseDetails d;
        d.price = price;
        d.category = category;
        d.difficulty = difficulty;
        d.tags = std::move(tags);
        return d;
    };
    t.course("Delta", "delta", 0, ada, details(3000, "PROGRAMMING", "BEGINNER", {"Cpp", "web"}));
    t.course("alpha", "alpha", 1, ada, details(1000, "PROGRAMMING", "ADVANCED", {"cpp"}));
    t.course("Echo", "echo", 2, bob, details(5000, "DESIGN", "BEGINNER", {"figma"}));
    t.course("Bravo", "bravo", 3, bob, details(2000, "PROGRAMMING", "BEGINNER", {"rust"}));
    t.course("Charlie", "charlie", 4, ada, details(2000, "MUSIC", "EXPERT", {}));
    t.course("Foxtrot", "foxtrot", 5, bob, details(0, "PROGRAMMING", "BEGINNER", {"cpp"}));
    const auto draft = t.course("Golf", "golf", 6, ada, details(1500, "PROGRAMMING", "BEGINNER", {"cpp"}), false);
    t.add(draft, dc::CourseSubmitted{Catalog::at(9)});
    const auto early = t.course("Hotel", "hotel", 7, bob, details(1500, "DESIGN", "BEGINNER", {}), false);
    t.add(early, dc::CourseSubmitted{Catalog::at(8)});
    t.catchUp();

    auto list = [&](const rm::CourseFilter& f, PageRequest p = {}) { return rm::listPublished(t.c, f, p); };
    rm::CourseFilter f;
    EXPECT_EQ(titles(list(f)), (std::vector<std::string>{"Foxtrot", "Charlie", "Bravo", "Echo", "alpha", "Delta"}));
    f.category = "PROGRAMMING";
    EXPECT_EQ(list(f).totalItems, 4);
    f.difficulty = "BEGINNER";
    EXPECT_EQ(titles(list(f)), (std::vector<std::string>{"Foxtrot", "Bravo", "Delta"}));
    f = {};
    f.tag = "CPP";
    EXPECT_EQ(titles(list(f)), (std::vector<std::string>{"Foxtrot", "alpha", "Delta"})) << "exact, case ignored";
    f.tag = "cp";
    EXPECT_EQ(list(f).totalItems, 0);
    f = {};
    f.minPrice = 1000;
    f.maxPrice = 3000;
    f.sort = rm::Sort::PriceAsc;
    EXPECT_EQ(titles(list(f)), (std::vector<std::string>{"alpha", "Charlie", "Bravo", "Delta"}))
        << "equal prices: the newest first";
    f = {};
    f.instructorId = bob;
    f.sort = rm::Sort::PriceDesc;
    EXPECT_EQ(titles(list(f)), (std::vector<std::string>{"Echo", "Bravo", "Foxtrot"}));
    f.instructorId = newUuid();
    EXPECT_EQ(list(f).totalItems, 0);
    f = {};
    f.sort = rm::Sort::Title;
    EXPECT_EQ(titles(list(f)), (std::vector<std::string>{"alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"}));

    // Pages of 4, 2 and 1 give the same order and the same total.
    for (const auto sort : {rm::Sort::Newest, rm::Sort::PriceAsc, rm::Sort::PriceDesc, rm::Sort::Title}) {
        f = {};
        f.sort = sort;
        const auto whole = titles(list(f, {1, 100}));
        ASSERT_EQ(whole.size(), 6u);
        for (const int limit : {1, 2, 4}) {
            std::vector<std::string> paged;
            for (int page = 1;; ++page) {
                const auto p = list(f, {page, limit});
                EXPECT_EQ(p.totalItems, 6);
                if (p.items.empty()) break;
                EXPECT_LE(static_cast<int>(p.items.size()), limit);
                for (const auto& x : p.items) paged.push_back(x.title);
            }
            EXPECT_EQ(paged, whole) << "limit " << limit;
        }
    }
    const auto second = list({}, {2, 4});
    EXPECT_EQ(second.totalItems, 6);
    EXPECT_EQ(titles(second), (std::vector<std::string>{"alpha", "Delta"}));

    // The instructor sees every status but deleted, newest first; the review queue, oldest submission first.
    EXPECT_EQ(titles(rm::coursesOf(t.c, ada, {})), (std::vector<std::string>{"Golf", "Charlie", "alpha", "Delta"}));
    EXPECT_EQ(titles(rm::coursesOf(t.c, ada, {2, 3})), std::vector<std::string>{"Delta"});
    EXPECT_EQ(rm::coursesOf(t.c, ada, {2, 3}).totalItems, 4);
    EXPECT_EQ(titles(rm::coursesInStatus(t.c, "IN_REVIEW", {})), (std::vector<std::string>{"Hotel", "Golf"}));
    EXPECT_EQ(titles(rm::coursesInStatus(t.c, "IN_REVIEW", {1, 1})), std::vector<std::string>{"Hotel"});
}

}  // namespace
}  // namespace lms
