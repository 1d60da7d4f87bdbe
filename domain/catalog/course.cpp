#include "domain/catalog/course.hpp"

#include <algorithm>
#include <set>

#include "domain/catalog/slug.hpp"
#include "domain/core/text.hpp"

namespace lms::domain::catalog {
namespace {

using Kind = DomainError::Kind;
using State = Course::State;

constexpr std::int64_t kMaxPrice = 100'000'000;
constexpr std::size_t kMaxTags = 10;
constexpr std::int64_t kMaxOrder = 10'000;
constexpr std::int64_t kMaxDuration = 10'000;  // minutes
constexpr std::size_t kMaxResources = 20;

using text::trim;

template <std::size_t N>
bool oneOf(const std::string& v, const std::string_view (&names)[N]) {
    return std::find(std::begin(names), std::end(names), v) != std::end(names);
}
template <std::size_t N>
std::string listOf(const std::string_view (&names)[N]) {
    std::string out;
    for (std::size_t i = 0; i < N; ++i) out += (i == 0 ? "" : (i + 1 == N ? " or " : ", ")) + std::string(names[i]);
    return out;
}

// A text field's length (in characters) and characters (text.hpp).
void checkText(std::vector<FieldError>& errors, const std::string& field, const std::string& value, std::size_t min,
               std::size_t max, text::Lines lines = text::Lines::Single) {
    if (auto p = text::problem(value, min, max, lines)) errors.push_back({field, std::move(*p)});
}

bool httpUrl(const std::string& u) {
    const bool scheme = u.rfind("https://", 0) == 0 || u.rfind("http://", 0) == 0;
    const auto host = u.find("://") + 3;
    return scheme && u.size() <= 2048 && u.size() > host && u[host] != '/' &&
           u.find_first_of(" \t\r\n\"<>\\^`{|}") == std::string::npos && !text::forbidden(u);
}

DomainError validation(std::vector<FieldError> errors) { return invalid(std::move(errors)); }
DomainError notFound() { return {Kind::NotFound, "course_not_found", "no such course", "", {}}; }
DomainError sectionNotFound() { return {Kind::NotFound, "section_not_found", "no such section in the course", "", {}}; }
DomainError lectureNotFound() {
    return {Kind::NotFound, "lecture_not_found", "no such lecture in the section", "", {}};
}
DomainError notOwner() {
    return {Kind::Forbidden, "not_course_owner", "only the course's instructor or an admin may change it", "", {}};
}
DomainError adminOnly() { return {Kind::Forbidden, "admin_only", "only an admin may review courses", "", {}}; }
DomainError wrongStatus(const State& s, const std::string& what) {
    return {Kind::Conflict,
            "invalid_status",
            "a course that is " + std::string(toString(s.status)) + " cannot be " + what,
            "",
            {}};
}

template <class E>
Decision one(const E& event) {
    return std::vector<DomainEvent>{CourseEvents::encode(event)};
}
Decision nothing() { return std::vector<DomainEvent>{}; }

// The refusal of a command on an existing course by this actor at this version, if any.
std::optional<DomainError> gate(const State& s, const Actor& actor, const std::optional<std::int64_t>& ifMatch) {
    if (!s.exists || s.status == CourseStatus::Deleted) return notFound();
    if (!actor.admin() && actor.userId != s.instructorId) return notOwner();
    if (ifMatch && *ifMatch != s.version) {
        return DomainError{Kind::Stale,
                           "version_mismatch",
                           "the course changed since version " + std::to_string(*ifMatch) + "; it is at version " +
                               std::to_string(s.version),
                           "",
                           {}};
    }
    return std::nullopt;
}

std::int64_t nextSectionOrder(const State& s) {
    std::int64_t m = 0;
    for (const auto& x : s.sections) m = std::max(m, x.order);
    return m + 1;
}
std::int64_t nextLectureOrder(const State& s, const SectionId& section) {
    std::int64_t m = 0;
    for (const auto& l : s.lectures) {
        if (l.sectionId == section) m = std::max(m, l.order);
    }
    return m + 1;
}
void checkOrder(std::vector<FieldError>& errors, const std::optional<std::int64_t>& order) {
    if (order && (*order < 1 || *order > kMaxOrder))
        errors.push_back({"order", "must be between 1 and " + std::to_string(kMaxOrder)});
}

}  // namespace

CourseDetails normalised(CourseDetails d) {
    d.title = trim(d.title);
    std::vector<std::string> tags;
    std::set<std::string> seen;
    for (auto t : d.tags) {
        t = trim(t);
        std::string key = t;
        std::transform(key.begin(), key.end(), key.begin(),
                       [](char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; });
        if (seen.insert(key).second) tags.push_back(t);
    }
    d.tags = std::move(tags);
    return d;
}

std::vector<FieldError> detailsErrors(const CourseDetails& d) {
    std::vector<FieldError> errors;
    checkText(errors, "title", d.title, 3, 200);
    checkText(errors, "description", d.description, 0, 20'000, text::Lines::Multiple);
    if (d.price < 0 || d.price > kMaxPrice)
        errors.push_back({"price", "must be between 0 and " + std::to_string(kMaxPrice) + " (minor units)"});
    if (!isCurrency(d.currency)) errors.push_back({"currency", "must be an ISO 4217 code such as USD, EUR or INR"});
    if (!oneOf(d.category, kCategoryNames)) errors.push_back({"category", "must be " + listOf(kCategoryNames)});
    if (!oneOf(d.difficulty, kDifficultyNames)) errors.push_back({"difficulty", "must be " + listOf(kDifficultyNames)});
    if (d.tags.size() > kMaxTags) errors.push_back({"tags", "must be at most " + std::to_string(kMaxTags) + " tags"});
    for (const auto& t : d.tags) {
        const auto before = errors.size();
        checkText(errors, "tags", t, 1, 50);
        if (errors.size() > before) break;  // one error for the list
    }
    return errors;
}

std::vector<FieldError> lectureErrors(const LectureDetails& d) {
    std::vector<FieldError> errors;
    checkText(errors, "title", d.title, 1, 200);
    checkText(errors, "content", d.content, 0, 100'000, text::Lines::Multiple);
    if (d.durationMinutes < 0 || d.durationMinutes > kMaxDuration)
        errors.push_back({"duration", "must be between 0 and " + std::to_string(kMaxDuration) + " minutes"});
    if (d.resourceUrls.size() > kMaxResources)
        errors.push_back({"resourceUrls", "must be at most " + std::to_string(kMaxResources) + " URLs"});
    else if (std::any_of(d.resourceUrls.begin(), d.resourceUrls.end(), [](const auto& u) { return !httpUrl(u); }))
        errors.push_back({"resourceUrls", "must be http or https URLs"});
    if (!oneOf(d.type, kLectureTypeNames)) errors.push_back({"type", "must be " + listOf(kLectureTypeNames)});
    return errors;
}

const Course::Section* Course::State::section(const SectionId& id) const {
    const auto it = std::find_if(sections.begin(), sections.end(), [&](const auto& x) { return x.id == id; });
    return it == sections.end() ? nullptr : &*it;
}
const Course::Lecture* Course::State::lecture(const LectureId& id) const {
    const auto it = std::find_if(lectures.begin(), lectures.end(), [&](const auto& x) { return x.id == id; });
    return it == lectures.end() ? nullptr : &*it;
}

State Course::evolve(State s, const DomainEvent& e) {
    ++s.version;
    const auto event = CourseEvents::decode(e);
    return event ? evolve(std::move(s), *event) : s;
}

State Course::evolve(State n, const CourseEvents::Event& event) {
    auto lectureOf = [&](const LectureId& id) {
        return std::find_if(n.lectures.begin(), n.lectures.end(), [&](const auto& x) { return x.id == id; });
    };
    auto sectionOf = [&](const SectionId& id) {
        return std::find_if(n.sections.begin(), n.sections.end(), [&](const auto& x) { return x.id == id; });
    };
    std::visit(Overloaded{
                   [&](const CourseCreated& e) {
                       n.exists = true;
                       n.courseId = e.courseId;
                       n.instructorId = e.instructorId;
                       n.slug = e.slug;
                       n.slugs = {e.slug};
                       n.details = e.details;
                       n.status = CourseStatus::Draft;
                   },
                   [&](const CourseUpdated& e) {
                       if (e.title) n.details.title = *e.title;
                       if (e.description) n.details.description = *e.description;
                       if (e.price) n.details.price = *e.price;
                       if (e.currency) n.details.currency = *e.currency;
                       if (e.category) n.details.category = *e.category;
                       if (e.difficulty) n.details.difficulty = *e.difficulty;
                       if (e.tags) n.details.tags = *e.tags;
                       if (e.slug) {
                           n.slug = *e.slug;
                           n.slugs.push_back(*e.slug);
                       }
                   },
                   [&](const CourseSubmitted&) { n.status = CourseStatus::InReview; },
                   [&](const CourseApproved&) {
                       n.status = CourseStatus::Published;
                       n.rejectionReason.clear();
                   },
                   [&](const CourseRejected& e) {
                       n.status = CourseStatus::Rejected;
                       n.rejectionReason = e.reason;
                   },
                   [&](const CourseUnpublished&) { n.status = CourseStatus::Draft; },
                   [&](const CourseDeleted&) { n.status = CourseStatus::Deleted; },
                   [&](const SectionAdded& e) {
                       n.sections.push_back({e.sectionId, e.title, e.order});
                   },
                   [&](const SectionUpdated& e) {
                       const auto it = sectionOf(e.sectionId);
                       if (it == n.sections.end()) return;
                       if (e.title) it->title = *e.title;
                       if (e.order) it->order = *e.order;
                   },
                   [&](const SectionRemoved& e) {
                       std::erase_if(n.sections, [&](const auto& x) { return x.id == e.sectionId; });
                       std::erase_if(n.lectures, [&](const auto& x) { return x.sectionId == e.sectionId; });
                   },
                   [&](const LectureAdded& e) {
                       n.lectures.push_back({e.lectureId, e.sectionId, e.order, e.details});
                   },
                   [&](const LectureUpdated& e) {
                       const auto it = lectureOf(e.lectureId);
                       if (it == n.lectures.end()) return;
                       it->sectionId = e.sectionId;
                       if (e.title) it->details.title = *e.title;
                       if (e.content) it->details.content = *e.content;
                       if (e.type) it->details.type = *e.type;
                       if (e.durationMinutes) it->details.durationMinutes = *e.durationMinutes;
                       if (e.order) it->order = *e.order;
                       if (e.resourceUrls) it->details.resourceUrls = *e.resourceUrls;
                       if (e.preview) it->details.preview = *e.preview;
                   },
                   [&](const LectureRemoved& e) {
                       std::erase_if(n.lectures, [&](const auto& x) { return x.id == e.lectureId; });
                   },
               },
               event);
    return n;
}

Decision Course::decide(const State& s, const Command& command) {
    return std::visit(
        Overloaded{
            [&](const CreateCourse& c) -> Decision {
                if (s.exists)
                    return unexpected(DomainError{Kind::Conflict, "course_exists", "the course exists", "", {}});
                if (c.actor.role != "INSTRUCTOR" && !c.actor.admin()) {
                    return unexpected(DomainError{
                        Kind::Forbidden, "instructors_only", "only instructors and admins create courses", "", {}});
                }
                const auto details = normalised(c.details);
                if (auto errors = detailsErrors(details); !errors.empty())
                    return unexpected(validation(std::move(errors)));
                return one(CourseCreated{c.courseId, c.actor.userId, c.slug, details, c.at});
            },
            [&](const UpdateCourse& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                CourseDetails next = s.details;
                if (c.title) next.title = *c.title;
                if (c.description) next.description = *c.description;
                if (c.price) next.price = *c.price;
                if (c.currency) next.currency = *c.currency;
                if (c.category) next.category = *c.category;
                if (c.difficulty) next.difficulty = *c.difficulty;
                if (c.tags) next.tags = *c.tags;
                next = normalised(next);
                if (auto errors = detailsErrors(next); !errors.empty())
                    return unexpected(validation(std::move(errors)));
                CourseUpdated u;
                u.at = c.at;
                if (next.title != s.details.title) {
                    u.title = next.title;
                    if (c.slug && *c.slug != s.slug) u.slug = *c.slug;
                }
                if (next.description != s.details.description) u.description = next.description;
                if (next.price != s.details.price) u.price = next.price;
                if (next.currency != s.details.currency) u.currency = next.currency;
                if (next.category != s.details.category) u.category = next.category;
                if (next.difficulty != s.details.difficulty) u.difficulty = next.difficulty;
                if (next.tags != s.details.tags) u.tags = next.tags;
                if (!u.title && !u.description && !u.price && !u.currency && !u.category && !u.difficulty && !u.tags)
                    return nothing();
                return one(u);
            },
            [&](const SubmitCourse& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                if (s.status == CourseStatus::InReview) return nothing();
                if (s.status != CourseStatus::Draft && s.status != CourseStatus::Rejected)
                    return unexpected(wrongStatus(s, "submitted for review"));
                if (s.lectures.empty()) {
                    return unexpected(DomainError{Kind::Validation,
                                                  "course_incomplete",
                                                  "a course needs at least one lecture before review",
                                                  "lectures",
                                                  {{"lectures", "must not be empty"}}});
                }
                return one(CourseSubmitted{c.at});
            },
            [&](const ApproveCourse& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                if (!c.actor.admin()) return unexpected(adminOnly());
                if (s.status == CourseStatus::Published) return nothing();
                if (s.status != CourseStatus::InReview) return unexpected(wrongStatus(s, "approved"));
                return one(CourseApproved{c.at});
            },
            [&](const RejectCourse& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                if (!c.actor.admin()) return unexpected(adminOnly());
                std::vector<FieldError> errors;
                checkText(errors, "reason", trim(c.reason), 1, 2000, text::Lines::Multiple);
                if (!errors.empty()) return unexpected(validation(std::move(errors)));
                if (s.status != CourseStatus::InReview) return unexpected(wrongStatus(s, "rejected"));
                return one(CourseRejected{trim(c.reason), c.at});
            },
            [&](const UnpublishCourse& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                if (s.status != CourseStatus::Published) return unexpected(wrongStatus(s, "unpublished"));
                return one(CourseUnpublished{c.at});
            },
            [&](const DeleteCourse& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                return one(CourseDeleted{c.at});
            },
            [&](const AddSection& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                if (s.section(c.sectionId))
                    return unexpected(DomainError{Kind::Conflict, "section_exists", "the section exists", "", {}});
                std::vector<FieldError> errors;
                checkText(errors, "title", trim(c.title), 1, 200);
                checkOrder(errors, c.order);
                if (!errors.empty()) return unexpected(validation(std::move(errors)));
                return one(SectionAdded{c.sectionId, trim(c.title), c.order.value_or(nextSectionOrder(s)), c.at});
            },
            [&](const UpdateSection& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                const auto* section = s.section(c.sectionId);
                if (!section) return unexpected(sectionNotFound());
                std::vector<FieldError> errors;
                if (c.title) checkText(errors, "title", trim(*c.title), 1, 200);
                checkOrder(errors, c.order);
                if (!errors.empty()) return unexpected(validation(std::move(errors)));
                SectionUpdated u{c.sectionId, std::nullopt, std::nullopt, c.at};
                if (c.title && trim(*c.title) != section->title) u.title = trim(*c.title);
                if (c.order && *c.order != section->order) u.order = *c.order;
                if (!u.title && !u.order) return nothing();
                return one(u);
            },
            [&](const RemoveSection& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                if (!s.section(c.sectionId)) return unexpected(sectionNotFound());
                return one(SectionRemoved{c.sectionId, c.at});
            },
            [&](const AddLecture& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                if (!s.section(c.sectionId)) return unexpected(sectionNotFound());
                if (s.lecture(c.lectureId))
                    return unexpected(DomainError{Kind::Conflict, "lecture_exists", "the lecture exists", "", {}});
                LectureDetails d = c.details;
                d.title = trim(d.title);
                auto errors = lectureErrors(d);
                checkOrder(errors, c.order);
                if (!errors.empty()) return unexpected(validation(std::move(errors)));
                return one(LectureAdded{c.sectionId, c.lectureId, c.order.value_or(nextLectureOrder(s, c.sectionId)), d,
                                        c.at});
            },
            [&](const UpdateLecture& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                const auto* lecture = s.lecture(c.lectureId);
                if (!s.section(c.sectionId) || !lecture || lecture->sectionId != c.sectionId)
                    return unexpected(lectureNotFound());
                if (c.moveTo && !s.section(*c.moveTo)) {
                    return unexpected(validation({{"sectionId", "is not a section of the course"}}));
                }
                LectureDetails next = lecture->details;
                if (c.title) next.title = trim(*c.title);
                if (c.content) next.content = *c.content;
                if (c.type) next.type = *c.type;
                if (c.durationMinutes) next.durationMinutes = *c.durationMinutes;
                if (c.resourceUrls) next.resourceUrls = *c.resourceUrls;
                if (c.preview) next.preview = *c.preview;
                auto errors = lectureErrors(next);
                checkOrder(errors, c.order);
                if (!errors.empty()) return unexpected(validation(std::move(errors)));
                LectureUpdated u;
                u.sectionId = c.moveTo.value_or(c.sectionId);
                u.lectureId = c.lectureId;
                u.at = c.at;
                const auto& was = lecture->details;
                if (next.title != was.title) u.title = next.title;
                if (next.content != was.content) u.content = next.content;
                if (next.type != was.type) u.type = next.type;
                if (next.durationMinutes != was.durationMinutes) u.durationMinutes = next.durationMinutes;
                if (next.resourceUrls != was.resourceUrls) u.resourceUrls = next.resourceUrls;
                if (next.preview != was.preview) u.preview = next.preview;
                const bool moved = u.sectionId != lecture->sectionId;
                if (c.order && *c.order != lecture->order) u.order = *c.order;
                else if (moved && !c.order) u.order = nextLectureOrder(s, u.sectionId);
                if (!moved && !u.title && !u.content && !u.type && !u.durationMinutes && !u.resourceUrls &&
                    !u.preview && !u.order)
                    return nothing();
                return one(u);
            },
            [&](const RemoveLecture& c) -> Decision {
                if (auto refused = gate(s, c.actor, c.ifMatch)) return unexpected(*refused);
                const auto* lecture = s.lecture(c.lectureId);
                if (!lecture || lecture->sectionId != c.sectionId) return unexpected(lectureNotFound());
                return one(LectureRemoved{c.lectureId, c.at});
            },
        },
        command);
}

}  // namespace lms::domain::catalog
