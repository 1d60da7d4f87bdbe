#pragma once
// The progress context's use cases, callable without HTTP: an enrolled student completes a
// lecture (and, with the last one, the course: the certificate is issued in the same
// transaction), resets their progress, reads it. The enrollment and the course's lectures are
// read from their read models, which their own commands keep current (read-your-writes).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/expected.hpp"
#include "domain/progress/progress.hpp"
#include "eventstore/command_loop.hpp"
#include "projections/progress/queries.hpp"

namespace lms::progress {

using domain::DomainError;
using domain::Metadata;
using projections::progress::ProgressRow;

using CommitObserver = std::function<void(const std::vector<eventstore::RecordedEvent>&)>;
template <class T>
using Result = expected<T, DomainError>;

class Commands {
public:
    Commands(pg::Connection& c, const Clock& clock, CommitObserver observer = {});

    // Completing a completed lecture changes nothing and answers the same.
    Result<ProgressRow> complete(const std::string& studentId, const std::string& courseId,
                                 const std::string& lectureId, const Metadata& meta);
    // Every lecture counts as not completed again; a certificate issued stays valid.
    Result<ProgressRow> reset(const std::string& studentId, const std::string& courseId, const Metadata& meta);
    // The student's progress: not_enrolled (403) when they are not enrolled in the course now.
    Result<ProgressRow> progressOf(const std::string& studentId, const std::string& courseId);

private:
    struct Course {
        std::string title;
        domain::progress::CourseNow now;
    };
    Result<Course> course(const std::string& studentId, const std::string& courseId);
    Result<ProgressRow> run(const std::string& studentId, const std::string& courseId,
                            const domain::progress::Progress::Command& command, const std::string& courseTitle,
                            const Metadata& meta);

    pg::Connection& c_;
    const Clock& clock_;
    CommitObserver observer_;
};

}  // namespace lms::progress
