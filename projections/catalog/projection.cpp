#include "projections/catalog/projection.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/ids.hpp"
#include "domain/catalog/events.hpp"
#include "projections/catalog/sql.hpp"

namespace lms::projections::catalog {
namespace {

namespace dc = domain::catalog;
using domain::Overloaded;

template <class T>
pg::Param optional(const std::optional<T>& v) {
    if (!v) return std::nullopt;
    if constexpr (std::is_same_v<T, std::string>) return *v;
    else if constexpr (std::is_same_v<T, bool>) return *v ? "true" : "false";
    else if constexpr (std::is_same_v<T, std::vector<std::string>>) return sql::textArray(*v);
    else return std::to_string(*v);
}

// The search document of a course from SQL expressions for its title, tags (text[]) and
// description: the title weighs most (A), then the tags (B), then the description (C).
std::string searchDocument(const std::string& title, const std::string& tags, const std::string& description) {
    return "setweight(" + sql::lexemes(title) + ", 'A') || setweight(" +
           sql::lexemes("array_to_string(" + tags + ", ' ')") + ", 'B') || setweight(" + sql::lexemes(description) +
           ", 'C')";
}

// The tags lower-cased, for the exact, case-insensitive tag filter.
std::string lowerTags(const std::string& tags) { return "ARRAY(SELECT lower(t) FROM unnest(" + tags + ") AS t)"; }

// Moves the course row to the event's version; false when it is there already (the event was
// applied before: inline, then again by the runner) or the course is unknown. Every change to a
// section or a lecture is made only after this claim succeeds, in the same transaction, so that
// an event applied twice changes nothing even where its own statement could not tell.
bool claim(pg::Connection& c, const std::string& id, const std::string& version, const std::string& at) {
    return c.query("UPDATE courses SET version = $2, updated_at = $3 WHERE course_id = $1 AND version < $2 RETURNING 1",
                   {id, version, at})
               .rows() == 1;
}

void setStatus(pg::Connection& c, const std::string& id, const std::string& version, const std::string& at,
               const std::string& assignments) {
    c.query("UPDATE courses SET version = $2, updated_at = $3, " + assignments +
                " WHERE course_id = $1 AND version < $2",
            {id, version, at});
}

void applyCourse(pg::Connection& c, const eventstore::RecordedEvent& r, const std::string& id,
                 const dc::CourseEvents::Event& event) {
    const std::string version = std::to_string(r.version);
    std::visit(
        Overloaded{
            [&](const dc::CourseCreated& e) {
                const auto& d = e.details;
                const pg::Param instructor = isUuid(e.instructorId) ? pg::Param(e.instructorId) : std::nullopt;
                c.query(
                    "INSERT INTO courses (course_id, version, instructor_id, slug, title, description, price, "
                    "currency, category, difficulty, tags, tags_norm, status, search, created_at, updated_at) "
                    "VALUES ($1, $2, $3, $4, $5::text, $6::text, $7, $8, $9, $10, $11::text[], " +
                        lowerTags("$11::text[]") + ", 'DRAFT', " +
                        searchDocument("$5::text", "$11::text[]", "$6::text") +
                        ", $12, $12) ON CONFLICT (course_id) DO NOTHING",
                    {id, version, instructor, e.slug, d.title, d.description, std::to_string(d.price), d.currency,
                     d.category, d.difficulty, sql::textArray(d.tags), eventTime(e.at, r)});
                c.query("INSERT INTO course_slugs (slug, course_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        {e.slug, id});
            },
            [&](const dc::CourseUpdated& e) {
                // SET reads the row as it was: the new value of a field is COALESCE(new, old), and
                // the search document is made of those.
                const auto applied =
                    c.query(
                         "UPDATE courses SET version = $2, updated_at = $3, title = COALESCE($4::text, title), "
                         "slug = COALESCE($5::text, slug), description = COALESCE($6::text, description), "
                         "price = COALESCE($7::bigint, price), currency = COALESCE($8::text, currency), "
                         "category = COALESCE($9::text, category), difficulty = COALESCE($10::text, difficulty), "
                         "tags = COALESCE($11::text[], tags), tags_norm = CASE WHEN $11::text[] IS NULL THEN tags_norm "
                         "ELSE " +
                             lowerTags("$11::text[]") + " END, search = " +
                             searchDocument("COALESCE($4::text, title)", "COALESCE($11::text[], tags)",
                                            "COALESCE($6::text, description)") +
                             " WHERE course_id = $1 AND version < $2 RETURNING 1",
                         {id, version, eventTime(e.at, r), optional(e.title), optional(e.slug), optional(e.description),
                          optional(e.price), optional(e.currency), optional(e.category), optional(e.difficulty),
                          optional(e.tags)})
                        .rows() == 1;
                // Every slug a course had keeps leading to it.
                if (applied && e.slug) {
                    c.query("INSERT INTO course_slugs (slug, course_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                            {*e.slug, id});
                }
            },
            [&](const dc::CourseSubmitted& e) {
                setStatus(c, id, version, eventTime(e.at, r), "status = 'IN_REVIEW', submitted_at = $3");
            },
            [&](const dc::CourseApproved& e) {
                setStatus(c, id, version, eventTime(e.at, r),
                          "status = 'PUBLISHED', published_at = $3, rejection_reason = ''");
            },
            [&](const dc::CourseRejected& e) {
                c.query(
                    "UPDATE courses SET version = $2, updated_at = $3, status = 'REJECTED', rejection_reason = $4 "
                    "WHERE course_id = $1 AND version < $2",
                    {id, version, eventTime(e.at, r), e.reason});
            },
            // Back to draft: publishedAt is the current publication's, so it goes with it.
            [&](const dc::CourseUnpublished& e) {
                setStatus(c, id, version, eventTime(e.at, r), "status = 'DRAFT', published_at = NULL");
            },
            // The tombstone: the row, its slugs, sections and lectures stay (no public query returns
            // them), so that a late write of an earlier event cannot bring the course back.
            [&](const dc::CourseDeleted& e) { setStatus(c, id, version, eventTime(e.at, r), "status = 'DELETED'"); },
            [&](const dc::SectionAdded& e) {
                if (!claim(c, id, version, eventTime(e.at, r))) return;
                c.query(
                    "INSERT INTO sections (course_id, section_id, position, title, added_version) "
                    "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    {id, e.sectionId.value(), std::to_string(e.order), e.title, version});
            },
            [&](const dc::SectionUpdated& e) {
                if (!claim(c, id, version, eventTime(e.at, r))) return;
                c.query(
                    "UPDATE sections SET title = COALESCE($3::text, title), position = COALESCE($4::bigint, position) "
                    "WHERE course_id = $1 AND section_id = $2",
                    {id, e.sectionId.value(), optional(e.title), optional(e.order)});
            },
            [&](const dc::SectionRemoved& e) {
                if (!claim(c, id, version, eventTime(e.at, r))) return;
                c.query("DELETE FROM lectures WHERE course_id = $1 AND section_id = $2", {id, e.sectionId.value()});
                c.query("DELETE FROM sections WHERE course_id = $1 AND section_id = $2", {id, e.sectionId.value()});
            },
            [&](const dc::LectureAdded& e) {
                if (!claim(c, id, version, eventTime(e.at, r))) return;
                const auto& d = e.details;
                c.query(
                    "INSERT INTO lectures (course_id, lecture_id, section_id, position, title, content, "
                    "duration_minutes, resource_urls, preview, type, added_version) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9, $10, $11) ON CONFLICT DO NOTHING",
                    {id, e.lectureId.value(), e.sectionId.value(), std::to_string(e.order), d.title, d.content,
                     std::to_string(d.durationMinutes), sql::textArray(d.resourceUrls), d.preview ? "true" : "false",
                     d.type, version});
            },
            // The section named is where the lecture is after the update: a move changes it.
            [&](const dc::LectureUpdated& e) {
                if (!claim(c, id, version, eventTime(e.at, r))) return;
                c.query(
                    "UPDATE lectures SET section_id = $3, title = COALESCE($4::text, title), "
                    "content = COALESCE($5::text, content), type = COALESCE($6::text, type), "
                    "duration_minutes = COALESCE($7::bigint, duration_minutes), "
                    "position = COALESCE($8::bigint, position), "
                    "resource_urls = COALESCE($9::text[], resource_urls), preview = COALESCE($10::boolean, preview) "
                    "WHERE course_id = $1 AND lecture_id = $2",
                    {id, e.lectureId.value(), e.sectionId.value(), optional(e.title), optional(e.content),
                     optional(e.type), optional(e.durationMinutes), optional(e.order), optional(e.resourceUrls),
                     optional(e.preview)});
            },
            [&](const dc::LectureRemoved& e) {
                if (!claim(c, id, version, eventTime(e.at, r))) return;
                c.query("DELETE FROM lectures WHERE course_id = $1 AND lecture_id = $2", {id, e.lectureId.value()});
            },
        },
        event);
}

}  // namespace

std::vector<std::string> Catalog::tables() const { return {"courses", "course_slugs", "sections", "lectures"}; }

// unaccent is created in `public`, once per database: an extension's objects live in one schema,
// and the tables made here move from the rebuild schema to lms_rm while the extension stays. The
// search document is a column the projection writes (not a generated column): unaccent() is not
// IMMUTABLE, and writing it here needs no wrapper function that would have to outlive rebuilds.
std::string Catalog::ddl() const {
    return R"sql(
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;
CREATE TABLE courses (
    course_id         uuid PRIMARY KEY,
    version           bigint NOT NULL,
    instructor_id     uuid,
    slug              text NOT NULL,
    title             text NOT NULL,
    description       text NOT NULL,
    price             bigint NOT NULL,
    currency          text NOT NULL,
    category          text NOT NULL,
    difficulty        text NOT NULL,
    tags              text[] NOT NULL,
    tags_norm         text[] NOT NULL,
    status            text NOT NULL,
    rejection_reason  text NOT NULL DEFAULT '',
    search            tsvector NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    submitted_at      timestamptz,
    published_at      timestamptz
);
CREATE INDEX courses_published ON courses (published_at DESC, course_id) WHERE status = 'PUBLISHED';
CREATE INDEX courses_search ON courses USING gin (search) WHERE status = 'PUBLISHED';
CREATE INDEX courses_tags ON courses USING gin (tags_norm) WHERE status = 'PUBLISHED';
CREATE INDEX courses_instructor ON courses (instructor_id, created_at DESC) WHERE status <> 'DELETED';
CREATE INDEX courses_status ON courses (status, submitted_at, created_at);
CREATE TABLE course_slugs (
    slug       text PRIMARY KEY,
    course_id  uuid NOT NULL
);
CREATE TABLE sections (
    course_id      uuid NOT NULL,
    section_id     text NOT NULL,
    position       bigint NOT NULL,
    title          text NOT NULL,
    added_version  bigint NOT NULL,
    PRIMARY KEY (course_id, section_id)
);
CREATE TABLE lectures (
    course_id         uuid NOT NULL,
    lecture_id        text NOT NULL,
    section_id        text NOT NULL,
    position          bigint NOT NULL,
    title             text NOT NULL,
    content           text NOT NULL,
    duration_minutes  bigint NOT NULL,
    resource_urls     text[] NOT NULL,
    preview           boolean NOT NULL,
    type              text NOT NULL,
    added_version     bigint NOT NULL,
    PRIMARY KEY (course_id, lecture_id)
);
CREATE INDEX lectures_section ON lectures (course_id, section_id);
)sql";
}

void Catalog::apply(pg::Connection& c, const eventstore::RecordedEvent& r) {
    const auto course = dc::courseOfStream(r.streamId);
    if (!course) return;
    // The catalog's commands make every course id a UUID; a stream that only looks like a course's
    // is left alone rather than stopping the runner on a failed cast.
    if (!isUuid(course->value())) {
        spdlog::warn("catalog projection: skipping {} of stream {}: not a course id", r.type, r.streamId);
        return;
    }
    const domain::DomainEvent stored{r.type, r.schemaVersion, nlohmann::json::parse(r.data, nullptr, false)};
    const auto event = stored.data.is_object() ? dc::CourseEvents::decode(stored) : std::nullopt;
    if (event) {
        applyCourse(c, r, course->value(), *event);
    } else {
        // A type this build does not know (or data that is no object) still counts in the stream's
        // version, as it does in the aggregate's: the version is the ETag that If-Match names.
        c.query("UPDATE courses SET version = $2 WHERE course_id = $1 AND version < $2",
                {course->value(), std::to_string(r.version)});
    }
}

}  // namespace lms::projections::catalog
