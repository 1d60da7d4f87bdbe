#include "domain/enrollment/enrollment.hpp"

namespace lms::domain::enrollment {
namespace {

using Kind = DomainError::Kind;

DomainError refusal(Kind kind, const char* code, const char* message) { return {kind, code, message, "", {}}; }

Decision enrolled(const StudentEnrolled& e) { return std::vector<DomainEvent>{EnrollmentEvents::encode(e)}; }

}  // namespace

Enrollment::State Enrollment::evolve(State s, const EnrollmentEvents::Event& event) {
    std::visit(Overloaded{
                   [&](const StudentEnrolled& e) {
                       s.exists = true;
                       s.active = true;
                       s.enrollmentId = e.enrollmentId;
                       s.studentId = e.studentId;
                       s.courseId = e.courseId;
                       s.source = e.source;
                       s.paymentId = e.paymentId;
                       s.enrolledAt = e.at;
                   },
                   [&](const EnrollmentRevoked&) { s.active = false; },
               },
               event);
    return s;
}

Decision Enrollment::decide(const State& s, const Command& command) {
    return std::visit(Overloaded{
                          [&](const Enroll& c) -> Decision {
                              if (!c.course.exists || !c.course.published)
                                  return unexpected(refusal(Kind::NotFound, "course_not_found", "no such course"));
                              if (c.studentId == c.course.instructorId)
                                  return unexpected(refusal(Kind::Forbidden, "own_course",
                                                            "an instructor does not enroll in their own course"));
                              if (s.active) return std::vector<DomainEvent>{};
                              if (c.course.price > 0)
                                  return unexpected(refusal(Kind::PaymentRequired, "payment_required",
                                                            "the course is paid for before enrolling"));
                              return enrolled({c.enrollmentId, c.studentId, c.courseId, std::string(kSourceFree), "", 0,
                                               c.course.currency, c.at});
                          },
                          [&](const EnrollByPayment& c) -> Decision {
                              if (c.studentId == c.instructorId)
                                  return unexpected(refusal(Kind::Forbidden, "own_course",
                                                            "an instructor does not buy their own course"));
                              if (s.active) return std::vector<DomainEvent>{};
                              return enrolled({c.enrollmentId, c.studentId, c.courseId, std::string(kSourcePayment),
                                               c.paymentId, c.amount, c.currency, c.at});
                          },
                          [&](const RevokeEnrollment& c) -> Decision {
                              if (!s.active) return std::vector<DomainEvent>{};
                              // A refund of another payment than the one that gave access leaves access alone.
                              if (!c.paymentId.empty() && c.paymentId != s.paymentId) return std::vector<DomainEvent>{};
                              return std::vector<DomainEvent>{
                                  EnrollmentEvents::encode(EnrollmentRevoked{c.reason, c.paymentId, c.at})};
                          },
                      },
                      command);
}

}  // namespace lms::domain::enrollment
