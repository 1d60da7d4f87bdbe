#include "domain/progress/progress.hpp"

#include <algorithm>

namespace lms::domain::progress {
namespace {

using Kind = DomainError::Kind;

DomainError refusal(Kind kind, const char* code, const char* message) { return {kind, code, message, "", {}}; }

}  // namespace

Figures figures(const std::set<std::string>& completed, const std::vector<std::string>& lectures) {
    Figures f;
    f.totalLectures = static_cast<std::int64_t>(lectures.size());
    f.completedLectures = std::count_if(lectures.begin(), lectures.end(),
                                        [&](const std::string& id) { return completed.count(id) != 0; });
    f.percent = f.totalLectures == 0 ? 0 : static_cast<int>(f.completedLectures * 100 / f.totalLectures);
    return f;
}

Progress::State Progress::evolve(State s, const ProgressEvents::Event& event) {
    std::visit(Overloaded{
                   [&](const LectureCompleted& e) {
                       s.exists = true;
                       s.completed.insert(e.lectureId);
                   },
                   [&](const ProgressReset&) { s.completed.clear(); },
                   [&](const CourseCompleted& e) {
                       s.courseCompleted = true;
                       s.certificateId = e.certificateId;
                       s.completedAt = e.at;
                   },
               },
               event);
    return s;
}

Decision Progress::decide(const State& s, const Command& command) {
    return std::visit(
        Overloaded{
            [&](const CompleteLecture& c) -> Decision {
                if (!c.course.enrolled)
                    return unexpected(refusal(Kind::Forbidden, "not_enrolled", "not enrolled in this course"));
                if (std::find(c.course.lectures.begin(), c.course.lectures.end(), c.lectureId) ==
                    c.course.lectures.end())
                    return unexpected(refusal(Kind::NotFound, "lecture_not_found", "the course has no such lecture"));
                std::vector<DomainEvent> events;
                auto completed = s.completed;
                if (completed.insert(c.lectureId).second)
                    events.push_back(ProgressEvents::encode(
                        LectureCompleted{c.enrollmentId, c.studentId, c.courseId, c.lectureId, c.at}));
                const auto f = figures(completed, c.course.lectures);
                if (f.percent == 100 && !s.courseCompleted)
                    events.push_back(ProgressEvents::encode(CourseCompleted{c.enrollmentId, c.studentId, c.courseId,
                                                                            c.certificateId, f.totalLectures, c.at}));
                return events;
            },
            [&](const ResetProgress& c) -> Decision {
                if (!c.enrolled)
                    return unexpected(refusal(Kind::Forbidden, "not_enrolled", "not enrolled in this course"));
                if (s.completed.empty()) return std::vector<DomainEvent>{};
                return std::vector<DomainEvent>{ProgressEvents::encode(ProgressReset{c.at})};
            },
        },
        command);
}

}  // namespace lms::domain::progress
