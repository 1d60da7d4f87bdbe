#pragma once
// The catalog context's events: a course's life (draft, review, published, deleted) and its
// sections and lectures, all on the course's stream. Every event's metadata names the actor
// (who changed what: `lms audit stream course-<id>`). No personal field: a course is public
// content. docs/events.md is the catalogue.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/catalog/ids.hpp"
#include "domain/core/codec.hpp"

namespace lms::domain::catalog {

enum class CourseStatus { Draft, InReview, Published, Rejected, Deleted };
const char* toString(CourseStatus s);
std::optional<CourseStatus> courseStatusFrom(std::string_view s);

inline constexpr std::string_view kCategoryNames[] = {"PROGRAMMING",          "DESIGN", "BUSINESS",    "MARKETING",
                                                      "PERSONAL_DEVELOPMENT", "MUSIC",  "PHOTOGRAPHY", "OTHER"};
inline constexpr std::string_view kDifficultyNames[] = {"BEGINNER", "INTERMEDIATE", "ADVANCED", "EXPERT"};
inline constexpr std::string_view kLectureTypeNames[] = {"VIDEO", "FILE", "TEXT", "LIVE"};

// What a course is about, as its author gives it: every field a create sets and an update may
// change.
struct CourseDetails {
    std::string title;
    std::string description;
    std::int64_t price = 0;  // minor units
    std::string currency;    // ISO 4217
    std::string category;
    std::string difficulty;
    std::vector<std::string> tags;
};

struct CourseCreated {
    static constexpr std::string_view kType = "CourseCreated";
    static constexpr int kSchemaVersion = 1;
    CourseId courseId;
    std::string instructorId;  // the owner
    std::string slug;
    CourseDetails details;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CourseCreated fromJson(const nlohmann::json& d);
};
// Only what changed; `slug` is set when the title changed (the old slugs keep resolving).
struct CourseUpdated {
    static constexpr std::string_view kType = "CourseUpdated";
    static constexpr int kSchemaVersion = 1;
    std::optional<std::string> title, slug, description, currency, category, difficulty;
    std::optional<std::int64_t> price;
    std::optional<std::vector<std::string>> tags;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CourseUpdated fromJson(const nlohmann::json& d);
};
struct CourseSubmitted {
    static constexpr std::string_view kType = "CourseSubmitted";
    static constexpr int kSchemaVersion = 1;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CourseSubmitted fromJson(const nlohmann::json& d);
};
struct CourseApproved {  // published
    static constexpr std::string_view kType = "CourseApproved";
    static constexpr int kSchemaVersion = 1;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CourseApproved fromJson(const nlohmann::json& d);
};
struct CourseRejected {
    static constexpr std::string_view kType = "CourseRejected";
    static constexpr int kSchemaVersion = 1;
    std::string reason;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CourseRejected fromJson(const nlohmann::json& d);
};
struct CourseUnpublished {  // back to draft
    static constexpr std::string_view kType = "CourseUnpublished";
    static constexpr int kSchemaVersion = 1;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CourseUnpublished fromJson(const nlohmann::json& d);
};
struct CourseDeleted {  // soft: hidden everywhere, the history kept
    static constexpr std::string_view kType = "CourseDeleted";
    static constexpr int kSchemaVersion = 1;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CourseDeleted fromJson(const nlohmann::json& d);
};

struct SectionAdded {
    static constexpr std::string_view kType = "SectionAdded";
    static constexpr int kSchemaVersion = 1;
    SectionId sectionId;
    std::string title;
    std::int64_t order = 1;  // 1-based place among the course's sections
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static SectionAdded fromJson(const nlohmann::json& d);
};
struct SectionUpdated {
    static constexpr std::string_view kType = "SectionUpdated";
    static constexpr int kSchemaVersion = 1;
    SectionId sectionId;
    std::optional<std::string> title;
    std::optional<std::int64_t> order;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static SectionUpdated fromJson(const nlohmann::json& d);
};
struct SectionRemoved {  // with its lectures
    static constexpr std::string_view kType = "SectionRemoved";
    static constexpr int kSchemaVersion = 1;
    SectionId sectionId;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static SectionRemoved fromJson(const nlohmann::json& d);
};

struct LectureDetails {
    std::string title;
    std::string content;
    std::int64_t durationMinutes = 0;
    std::vector<std::string> resourceUrls;
    bool preview = false;
    std::string type = "VIDEO";
};
struct LectureAdded {
    static constexpr std::string_view kType = "LectureAdded";
    static constexpr int kSchemaVersion = 1;
    SectionId sectionId;
    LectureId lectureId;
    std::int64_t order = 1;  // 1-based place in its section
    LectureDetails details;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static LectureAdded fromJson(const nlohmann::json& d);
};
struct LectureUpdated {
    static constexpr std::string_view kType = "LectureUpdated";
    static constexpr int kSchemaVersion = 1;
    SectionId sectionId;  // the section it is in after the update
    LectureId lectureId;
    std::optional<std::string> title, content, type;
    std::optional<std::int64_t> durationMinutes, order;
    std::optional<std::vector<std::string>> resourceUrls;
    std::optional<bool> preview;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static LectureUpdated fromJson(const nlohmann::json& d);
};
struct LectureRemoved {
    static constexpr std::string_view kType = "LectureRemoved";
    static constexpr int kSchemaVersion = 1;
    LectureId lectureId;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static LectureRemoved fromJson(const nlohmann::json& d);
};

using CourseEvents =
    EventCodec<CourseCreated, CourseUpdated, CourseSubmitted, CourseApproved, CourseRejected, CourseUnpublished,
               CourseDeleted, SectionAdded, SectionUpdated, SectionRemoved, LectureAdded, LectureUpdated, LectureRemoved>;

}  // namespace lms::domain::catalog
