#pragma once
// Reads of the catalog read model (projection.hpp writes it). Every SELECT on these tables lives
// here. Public reads see published courses only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/paging.hpp"
#include "domain/catalog/ids.hpp"
#include "eventstore/pg.hpp"

namespace lms::projections::catalog {

using domain::catalog::CourseId;

struct LectureRow {
    std::string id;
    std::string sectionId;
    std::int64_t order = 1;
    std::string title;
    std::string content;  // shown to the owner and admins only (routes decide)
    std::int64_t durationMinutes = 0;
    std::vector<std::string> resourceUrls;
    bool preview = false;
    std::string type;  // VIDEO, FILE, TEXT, LIVE
};
struct SectionRow {
    std::string id;
    std::int64_t order = 1;
    std::string title;
    std::vector<LectureRow> lectures;  // by order, then by when they were added
};
struct CourseRow {
    CourseId id;
    std::string slug;  // the current one
    std::string title;
    std::string description;
    std::int64_t price = 0;
    std::string currency;
    std::string category;
    std::string difficulty;
    std::vector<std::string> tags;
    std::string status;  // DRAFT, IN_REVIEW, PUBLISHED, REJECTED (DELETED never returned)
    std::string instructorId;
    std::string instructorName;  // "First Last" from the identity read model; empty once erased
    std::string rejectionReason;
    std::int64_t version = 0;          // the course stream's version: the ETag, what If-Match names
    std::int64_t lectureCount = 0;     // current lectures
    std::int64_t totalMinutes = 0;     // their durations summed
    std::string createdAt, updatedAt;  // RFC 3339, UTC, microseconds
    std::optional<std::string> publishedAt, submittedAt;
};
struct CourseDetail {
    CourseRow course;
    std::vector<SectionRow> sections;  // by order, then by when they were added
};

enum class Sort { Newest, PriceAsc, PriceDesc, Title, Relevance };
struct CourseFilter {
    std::optional<std::string> q;  // full-text: any bytes; the last word matches as a prefix
    std::optional<std::string> category, difficulty, tag, instructorId;
    std::optional<std::int64_t> minPrice, maxPrice;
    Sort sort = Sort::Newest;  // Relevance without q sorts as Newest
};
// Published courses matching the filter: PostgreSQL full-text search over title (weight A), tags
// (B) and description (C), ranked, unaccented, with prefix matching for the last word; a q that
// holds no word matches everything.
Page<CourseRow> listPublished(pg::Connection& c, const CourseFilter& filter, const PageRequest& page);

// A course by its id or any slug it ever had (renamed courses keep resolving), with its sections
// and lectures; never a deleted one. Whether the caller may see it (a draft) is the route's call.
std::optional<CourseDetail> findCourse(pg::Connection& c, const std::string& idOrSlug);

// The instructor's courses in every status but deleted, newest first.
Page<CourseRow> coursesOf(pg::Connection& c, const std::string& instructorId, const PageRequest& page);
// Courses of a status (IN_REVIEW: the review queue), oldest submission first.
Page<CourseRow> coursesInStatus(pg::Connection& c, const std::string& status, const PageRequest& page);

// The course that holds this slug (current or old), deleted ones included: a slug is never
// handed out twice.
std::optional<CourseId> courseOfSlug(pg::Connection& c, const std::string& slug);

}  // namespace lms::projections::catalog
