#pragma once
// The course aggregate (stream course-<id>): a course's details, its life from draft to review to
// published (or rejected, unpublished, deleted), and its sections and lectures. Only its
// instructor or an admin changes it; only an admin approves or rejects. Every command may carry
// the version its caller read (If-Match): a course that moved on since refuses it (Stale, 412)
// instead of overwriting what the caller did not see. Pure: ids, slugs and times arrive in the
// commands (the use case picks a slug that is free; the append's transaction reserves it).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/catalog/events.hpp"
#include "domain/core/decider.hpp"

namespace lms::domain::catalog {

// Who asks: the signed-in user and their role (STUDENT, INSTRUCTOR, ADMIN).
struct Actor {
    std::string userId;
    std::string role;
    bool admin() const { return role == "ADMIN"; }
};

// Every field of a course's details at fault (title 3..200 characters, description up to 20,000,
// price 0..100,000,000 minor units, an ISO 4217 currency, a category and a difficulty of the
// lists, up to 10 tags of 1..50 characters).
std::vector<FieldError> detailsErrors(const CourseDetails& d);
// The details with the title, the tags trimmed, and the tags without duplicates (case ignored).
CourseDetails normalised(CourseDetails d);
// Every field of a lecture's details at fault.
std::vector<FieldError> lectureErrors(const LectureDetails& d);

struct CreateCourse {
    CourseId courseId;
    Actor actor;
    std::string slug;  // free, from the title (slug.hpp)
    CourseDetails details;
    std::int64_t at = 0;
};
struct UpdateCourse {
    Actor actor;
    std::optional<std::string> title, description, currency, category, difficulty;
    std::optional<std::int64_t> price;
    std::optional<std::vector<std::string>> tags;
    std::optional<std::string> slug;  // a free slug for the new title, when there is one
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};
struct SubmitCourse {
    Actor actor;
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};
struct ApproveCourse {
    Actor actor;
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};
struct RejectCourse {
    Actor actor;
    std::string reason;
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};
struct UnpublishCourse {
    Actor actor;
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};
struct DeleteCourse {
    Actor actor;
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};
struct AddSection {
    Actor actor;
    SectionId sectionId;
    std::string title;
    std::optional<std::int64_t> order;  // last when absent
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};
struct UpdateSection {
    Actor actor;
    SectionId sectionId;
    std::optional<std::string> title;
    std::optional<std::int64_t> order;
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};
struct RemoveSection {
    Actor actor;
    SectionId sectionId;
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};
struct AddLecture {
    Actor actor;
    SectionId sectionId;
    LectureId lectureId;
    LectureDetails details;
    std::optional<std::int64_t> order;  // last in its section when absent
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};
struct UpdateLecture {
    Actor actor;
    SectionId sectionId;  // where it is
    LectureId lectureId;
    std::optional<std::string> title, content, type;
    std::optional<std::int64_t> durationMinutes, order;
    std::optional<std::vector<std::string>> resourceUrls;
    std::optional<bool> preview;
    std::optional<SectionId> moveTo;  // another section of the course
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};
struct RemoveLecture {
    Actor actor;
    SectionId sectionId;
    LectureId lectureId;
    std::optional<std::int64_t> ifMatch;
    std::int64_t at = 0;
};

struct Course : EventSourced<Course, CourseEvents> {
    using Command =
        std::variant<CreateCourse, UpdateCourse, SubmitCourse, ApproveCourse, RejectCourse, UnpublishCourse,
                     DeleteCourse, AddSection, UpdateSection, RemoveSection, AddLecture, UpdateLecture, RemoveLecture>;
    struct Section {
        SectionId id;
        std::string title;
        std::int64_t order = 1;
    };
    struct Lecture {
        LectureId id;
        SectionId sectionId;
        std::int64_t order = 1;
        LectureDetails details;
    };
    struct State {
        bool exists = false;
        std::int64_t version = 0;  // events folded: the stream's version, what If-Match names
        CourseId courseId;
        std::string instructorId;
        CourseStatus status = CourseStatus::Draft;
        std::string slug;
        std::vector<std::string> slugs;  // every slug it had, the current one last
        CourseDetails details;
        std::string rejectionReason;
        std::vector<Section> sections;
        std::vector<Lecture> lectures;
        const Section* section(const SectionId& id) const;
        const Lecture* lecture(const LectureId& id) const;
    };
    static State initial() { return {}; }
    // Counts every event of the stream in `version`, those of types this build does not know too.
    static State evolve(State s, const DomainEvent& e);
    static State evolve(State s, const CourseEvents::Event& e);
    static Decision decide(const State& s, const Command& c);
};
static_assert(Decider<Course>);

}  // namespace lms::domain::catalog
