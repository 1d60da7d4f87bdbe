#include "api/enrollment/commands.hpp"

#include "common/ids.hpp"
#include "common/sha256.hpp"
#include "projections/catalog/queries.hpp"
#include "projections/enrollment/projection.hpp"
#include "projections/runner.hpp"

namespace lms::enrollment {
namespace {

namespace de = domain::enrollment;
using Kind = DomainError::Kind;

}  // namespace

EnrollmentId enrollmentIdOf(const std::string& studentId, const std::string& courseId) {
    // A name-based UUID (RFC 9562 version 8): sha256 of the pair, version and variant bits set.
    std::string h = sha256Hex("enrollment:" + studentId + ":" + courseId).substr(0, 32);
    h[12] = '8';
    h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
    return EnrollmentId(h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
                        h.substr(20, 12));
}

Commands::Commands(pg::Connection& c, const Clock& clock, CommitObserver observer)
    : c_(c), clock_(clock), observer_(std::move(observer)) {}

Result<Enrolled> Commands::enroll(const std::string& studentId, const std::string& courseId, const Metadata& meta) {
    if (!isUuid(courseId)) return unexpected(DomainError{Kind::NotFound, "course_not_found", "no such course", "", {}});
    de::CourseFacts facts;
    if (const auto found = projections::catalog::findCourse(c_, courseId); found && found->course.status != "DELETED") {
        facts.exists = true;
        facts.published = found->course.status == "PUBLISHED";
        facts.instructorId = found->course.instructorId;
        facts.price = found->course.price;
        facts.currency = found->course.currency;
    }
    const auto id = enrollmentIdOf(studentId, courseId);
    return run(id, studentId, courseId, de::Enroll{id, studentId, courseId, facts, clock_.nowUs()}, meta);
}

Result<Enrolled> Commands::enrollByPayment(const de::EnrollByPayment& command, const Metadata& meta) {
    auto c = command;
    c.enrollmentId = enrollmentIdOf(c.studentId, c.courseId);
    if (c.at == 0) c.at = clock_.nowUs();
    return run(c.enrollmentId, c.studentId, c.courseId, c, meta);
}

Result<Enrolled> Commands::revoke(const std::string& studentId, const std::string& courseId, const std::string& reason,
                                  const std::string& paymentId, const Metadata& meta) {
    const auto id = enrollmentIdOf(studentId, courseId);
    return run(id, studentId, courseId, de::RevokeEnrollment{reason, paymentId, clock_.nowUs()}, meta);
}

Result<Enrolled> Commands::run(const EnrollmentId& id, const std::string& studentId, const std::string& courseId,
                               const de::Enrollment::Command& command, const Metadata& meta) {
    eventstore::CommandOptions options;
    options.withinTransaction =
        [](pg::Connection& c, const std::vector<eventstore::RecordedEvent>& written) -> std::optional<DomainError> {
        projections::enrollment::Enrollments readModel;
        projections::applyInline(c, readModel, written);
        return std::nullopt;
    };
    auto done = eventstore::handleCommand<de::Enrollment>(c_, de::enrollmentStream(id), command, meta, options);
    if (!done) return unexpected(done.error());
    if (!done->events.empty() && observer_) observer_(done->events);
    auto row = projections::enrollment::findEnrollment(c_, studentId, courseId);
    if (!row) return unexpected(DomainError{Kind::NotFound, "not_enrolled", "not enrolled in this course", "", {}});
    return Enrolled{std::move(*row), !done->events.empty()};
}

}  // namespace lms::enrollment
