#pragma once
// A student's access to a course: the Enrollment aggregate (stream enrollment-<id>, one per
// student and course). Pure: what the course is (published, its instructor, its price) arrives
// inside the command, read by the use case from the catalog.
#include <cstdint>
#include <string>
#include <variant>

#include "domain/core/decider.hpp"
#include "domain/enrollment/events.hpp"

namespace lms::domain::enrollment {

// What the decision needs to know of the course, as the catalog has it now.
struct CourseFacts {
    bool exists = false;     // and not deleted
    bool published = false;  // open to enrollment
    std::string instructorId;
    std::int64_t price = 0;  // minor units
    std::string currency;
};

// A free course's enrollment, asked for by the student.
struct Enroll {
    EnrollmentId enrollmentId;
    std::string studentId;
    std::string courseId;
    CourseFacts course;
    std::int64_t at = 0;
};
// A completed payment's enrollment: the course was paid for, whatever its status is now.
struct EnrollByPayment {
    EnrollmentId enrollmentId;
    std::string studentId;
    std::string courseId;
    std::string instructorId;
    std::string paymentId;
    std::int64_t amount = 0;
    std::string currency;
    std::int64_t at = 0;
};
struct RevokeEnrollment {
    std::string reason;
    std::string paymentId;  // a refund revokes only the enrollment that payment made
    std::int64_t at = 0;
};

struct Enrollment : EventSourced<Enrollment, EnrollmentEvents> {
    using Command = std::variant<Enroll, EnrollByPayment, RevokeEnrollment>;
    struct State {
        bool exists = false;
        bool active = false;
        EnrollmentId enrollmentId;
        std::string studentId, courseId, source, paymentId;
        std::int64_t enrolledAt = 0;
    };
    static State initial() { return {}; }
    using EventSourced::evolve;
    static State evolve(State s, const EnrollmentEvents::Event& e);
    // Enrolling when already enrolled decides nothing (the caller answers with the enrollment);
    // a paid course is refused with payment_required (402: how to pay is the caller's answer).
    static Decision decide(const State& s, const Command& c);
};
static_assert(Decider<Enrollment>);

}  // namespace lms::domain::enrollment
