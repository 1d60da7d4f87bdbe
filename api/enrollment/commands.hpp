#pragma once
// The enrollment context's use cases, callable without HTTP: each runs the command loop with the
// enrollment decider on the student's and course's stream, reads what it needs of the course from
// the catalog's read model, applies the enrollment read model inline (read-your-writes) and
// returns the enrollment or the DomainError that refused it.
#include <functional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/expected.hpp"
#include "domain/enrollment/enrollment.hpp"
#include "eventstore/command_loop.hpp"
#include "projections/enrollment/queries.hpp"

namespace lms::enrollment {

using domain::DomainError;
using domain::Metadata;
using domain::enrollment::EnrollmentId;
using projections::enrollment::EnrollmentRow;

using CommitObserver = std::function<void(const std::vector<eventstore::RecordedEvent>&)>;
template <class T>
using Result = expected<T, DomainError>;

// The enrollment of a student in a course: the same id for the same pair, always.
EnrollmentId enrollmentIdOf(const std::string& studentId, const std::string& courseId);

struct Enrolled {
    EnrollmentRow enrollment;
    bool created = false;  // false: the student was enrolled already (nothing was written)
};

class Commands {
public:
    Commands(pg::Connection& c, const Clock& clock, CommitObserver observer = {});

    // A free, published course: enrolled at once (or already). A paid one: payment_required.
    Result<Enrolled> enroll(const std::string& studentId, const std::string& courseId, const Metadata& meta);
    // A completed payment's enrollment (the payments context calls it).
    Result<Enrolled> enrollByPayment(const domain::enrollment::EnrollByPayment& command, const Metadata& meta);
    // Ends access (a refund names its payment; an admin's revocation names none).
    Result<Enrolled> revoke(const std::string& studentId, const std::string& courseId, const std::string& reason,
                            const std::string& paymentId, const Metadata& meta);

private:
    Result<Enrolled> run(const EnrollmentId& id, const std::string& studentId, const std::string& courseId,
                         const domain::enrollment::Enrollment::Command& command, const Metadata& meta);

    pg::Connection& c_;
    const Clock& clock_;
    CommitObserver observer_;
};

}  // namespace lms::enrollment
