#pragma once
// A student's progress through a course: the Progress aggregate (stream progress-<enrollmentId>).
// Pure: whether the enrollment is active and which lectures the course has now arrive inside the
// command, read by the use case from the enrollment's and the course's streams.
#include <cstdint>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "domain/core/decider.hpp"
#include "domain/progress/events.hpp"

namespace lms::domain::progress {

// What a completion needs to know besides the stream.
struct CourseNow {
    bool enrolled = false;              // an active enrollment of this student in this course
    std::vector<std::string> lectures;  // the course's lectures now (ids)
};

struct CompleteLecture {
    std::string enrollmentId, studentId, courseId, lectureId;
    CourseNow course;
    std::string certificateId;  // the id a certificate gets if this completes the course
    std::int64_t at = 0;
};
struct ResetProgress {
    bool enrolled = false;
    std::int64_t at = 0;
};

// completed among the course's current lectures, as the API shows it: a lecture added later
// lowers the percentage, a removed one stops counting. Rounded down: 100 only when all are done.
struct Figures {
    std::int64_t completedLectures = 0;
    std::int64_t totalLectures = 0;
    int percent = 0;
};
Figures figures(const std::set<std::string>& completed, const std::vector<std::string>& lectures);

struct Progress : EventSourced<Progress, ProgressEvents> {
    using Command = std::variant<CompleteLecture, ResetProgress>;
    struct State {
        bool exists = false;
        std::set<std::string> completed;  // since the last reset
        bool courseCompleted = false;     // once per enrollment, resets notwithstanding
        std::string certificateId;
        std::int64_t completedAt = 0;
    };
    static State initial() { return {}; }
    using EventSourced::evolve;
    static State evolve(State s, const ProgressEvents::Event& e);
    // Completing a completed lecture decides nothing, unless the course is now complete without
    // it having been said (a lecture removed since): then CourseCompleted alone.
    static Decision decide(const State& s, const Command& c);
};
static_assert(Decider<Progress>);

}  // namespace lms::domain::progress
