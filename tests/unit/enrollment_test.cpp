// The enrollment aggregate, given events, when a command, then events or a refusal. No I/O.
#include <gtest/gtest.h>

#include "domain/enrollment/enrollment.hpp"
#include "tests/support/given_when_then.hpp"

namespace lms::domain::enrollment {
namespace {

using nlohmann::json;
using test::given;

constexpr std::int64_t kT0 = 1'795'000'000'000'000;
const EnrollmentId kId("e1");

CourseFacts freeCourse() { return {true, true, "i1", 0, "USD"}; }
CourseFacts paidCourse() { return {true, true, "i1", 4900, "EUR"}; }

json enrolledData(const std::string& source, const std::string& payment, std::int64_t amount,
                  const std::string& currency) {
    return {{"enrollmentId", "e1"}, {"studentId", "s1"}, {"courseId", "c1"},     {"source", source},
            {"paymentId", payment}, {"amount", amount},  {"currency", currency}, {"at", kT0}};
}
DomainEvent enrolled(const std::string& source = "FREE", const std::string& payment = "") {
    return {"StudentEnrolled", 1,
            enrolledData(source, payment, source == "FREE" ? 0 : 4900, source == "FREE" ? "USD" : "EUR")};
}
DomainEvent revoked(const std::string& payment = "") {
    return {"EnrollmentRevoked", 1, {{"reason", "refunded"}, {"paymentId", payment}, {"at", kT0}}};
}

TEST(Enrollment, AFreePublishedCourseEnrollsAtOnceAndOnlyOnce) {
    given<Enrollment>({})
        .when(Enroll{kId, "s1", "c1", freeCourse(), kT0})
        .then({{"StudentEnrolled", enrolledData("FREE", "", 0, "USD")}})
        .when(Enroll{kId, "s1", "c1", freeCourse(), kT0})
        .then({});
}

TEST(Enrollment, APaidCourseAsksForPaymentFirst) {
    given<Enrollment>({}).when(Enroll{kId, "s1", "c1", paidCourse(), kT0}).thenRefused("payment_required");
    const auto d = Enrollment::decide(Enrollment::initial(), Enroll{kId, "s1", "c1", paidCourse(), kT0});
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().kind, DomainError::Kind::PaymentRequired);
    // Paid already: enrolling again decides nothing, it does not ask for a second payment.
    given<Enrollment>({enrolled("PAYMENT", "p1")}).when(Enroll{kId, "s1", "c1", paidCourse(), kT0}).then({});
}

TEST(Enrollment, NoEnrollmentInAnUnpublishedOrUnknownCourseNorInOnesOwn) {
    CourseFacts draft = freeCourse();
    draft.published = false;
    given<Enrollment>({}).when(Enroll{kId, "s1", "c1", draft, kT0}).thenRefused("course_not_found");
    given<Enrollment>({}).when(Enroll{kId, "s1", "c1", CourseFacts{}, kT0}).thenRefused("course_not_found");
    given<Enrollment>({}).when(Enroll{kId, "i1", "c1", freeCourse(), kT0}).thenRefused("own_course");
    given<Enrollment>({}).when(EnrollByPayment{kId, "i1", "c1", "i1", "p1", 4900, "EUR", kT0}).thenRefused("own_course");
}

TEST(Enrollment, APaymentEnrollsOnceWhateverTheCourseIsNow) {
    given<Enrollment>({})
        .when(EnrollByPayment{kId, "s1", "c1", "i1", "p1", 4900, "EUR", kT0})
        .then({{"StudentEnrolled", enrolledData("PAYMENT", "p1", 4900, "EUR")}})
        .when(EnrollByPayment{kId, "s1", "c1", "i1", "p1", 4900, "EUR", kT0})
        .then({});
}

TEST(Enrollment, ARefundRevokesTheEnrollmentItPaidForOnly) {
    given<Enrollment>({enrolled("PAYMENT", "p1")})
        .when(RevokeEnrollment{"refunded", "p2", kT0})
        .then({})
        .when(RevokeEnrollment{"refunded", "p1", kT0})
        .then({{"EnrollmentRevoked", revoked("p1").data}})
        .when(RevokeEnrollment{"refunded", "p1", kT0})
        .then({});
    given<Enrollment>({}).when(RevokeEnrollment{"refunded", "p1", kT0}).then({});
}

TEST(Enrollment, ARevokedFreeEnrollmentCanEnrollAgain) {
    const auto s = Enrollment::evolve(Enrollment::evolve(Enrollment::initial(), enrolled()), revoked());
    EXPECT_TRUE(s.exists);
    EXPECT_FALSE(s.active);
    given<Enrollment>({enrolled(), revoked()})
        .when(Enroll{kId, "s1", "c1", freeCourse(), kT0})
        .then({{"StudentEnrolled", enrolledData("FREE", "", 0, "USD")}});
}

}  // namespace
}  // namespace lms::domain::enrollment
