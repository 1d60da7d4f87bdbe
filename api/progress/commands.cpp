#include "api/progress/commands.hpp"

#include "api/certificates/commands.hpp"
#include "api/enrollment/commands.hpp"
#include "common/ids.hpp"
#include "domain/progress/ids.hpp"
#include "projections/catalog/queries.hpp"
#include "projections/enrollment/queries.hpp"
#include "projections/progress/projection.hpp"
#include "projections/runner.hpp"

namespace lms::progress {
namespace {

namespace dp = domain::progress;
using Kind = DomainError::Kind;

DomainError courseNotFound() { return {Kind::NotFound, "course_not_found", "no such course", "", {}}; }

}  // namespace

Commands::Commands(pg::Connection& c, const Clock& clock, CommitObserver observer)
    : c_(c), clock_(clock), observer_(std::move(observer)) {}

Result<Commands::Course> Commands::course(const std::string& studentId, const std::string& courseId) {
    if (!isUuid(courseId)) return unexpected(courseNotFound());
    const auto found = projections::catalog::findCourse(c_, courseId);
    if (!found || found->course.id.value() != courseId || found->course.status == "DELETED")
        return unexpected(courseNotFound());
    Course out{found->course.title, {projections::enrollment::enrolled(c_, studentId, courseId), {}}};
    for (const auto& section : found->sections)
        for (const auto& lecture : section.lectures) out.now.lectures.push_back(lecture.id);
    return out;
}

Result<ProgressRow> Commands::run(const std::string& studentId, const std::string& courseId,
                                  const dp::Progress::Command& command, const std::string& courseTitle,
                                  const Metadata& meta) {
    const auto enrollmentId = enrollment::enrollmentIdOf(studentId, courseId).value();
    std::vector<eventstore::RecordedEvent> issued;
    eventstore::CommandOptions options;
    options.withinTransaction =
        [&](pg::Connection& c, const std::vector<eventstore::RecordedEvent>& written) -> std::optional<DomainError> {
        projections::progress::ProgressProjection readModel;
        projections::applyInline(c, readModel, written);
        issued.clear();
        for (const auto& r : written) {
            if (r.type != dp::CourseCompleted::kType) continue;
            const auto done = dp::CourseCompleted::fromJson(nlohmann::json::parse(r.data));
            // The certificate commits with the completion, or neither does.
            certificates::Commands certificates(c, clock_);
            if (auto refused = certificates.issue(done, courseTitle, meta, issued)) return refused;
        }
        return std::nullopt;
    };
    auto done = eventstore::handleCommand<dp::Progress>(c_, dp::progressStream(enrollmentId), command, meta, options);
    if (!done) return unexpected(done.error());
    if (observer_ && !done->events.empty()) {
        auto all = done->events;
        all.insert(all.end(), issued.begin(), issued.end());
        observer_(all);
    }
    return projections::progress::progressOf(c_, enrollmentId, courseId);
}

Result<ProgressRow> Commands::complete(const std::string& studentId, const std::string& courseId,
                                       const std::string& lectureId, const Metadata& meta) {
    auto found = course(studentId, courseId);
    if (!found) return unexpected(found.error());
    const auto enrollmentId = enrollment::enrollmentIdOf(studentId, courseId).value();
    return run(studentId, courseId,
               dp::CompleteLecture{enrollmentId, studentId, courseId, lectureId, found->now,
                                   certificates::newCertificateId(), clock_.nowUs()},
               found->title, meta);
}

Result<ProgressRow> Commands::reset(const std::string& studentId, const std::string& courseId, const Metadata& meta) {
    auto found = course(studentId, courseId);
    if (!found) return unexpected(found.error());
    return run(studentId, courseId, dp::ResetProgress{found->now.enrolled, clock_.nowUs()}, found->title, meta);
}

Result<ProgressRow> Commands::progressOf(const std::string& studentId, const std::string& courseId) {
    auto found = course(studentId, courseId);
    if (!found) return unexpected(found.error());
    if (!found->now.enrolled)
        return unexpected(DomainError{Kind::Forbidden, "not_enrolled", "not enrolled in this course", "", {}});
    return projections::progress::progressOf(c_, enrollment::enrollmentIdOf(studentId, courseId).value(), courseId);
}

}  // namespace lms::progress
