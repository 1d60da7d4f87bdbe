#include "domain/enrollment/events.hpp"

namespace lms::domain::enrollment {

using fields::integer;
using fields::text;
using nlohmann::json;

json StudentEnrolled::toJson() const {
    return {{"enrollmentId", enrollmentId.value()},
            {"studentId", studentId},
            {"courseId", courseId},
            {"source", source},
            {"paymentId", paymentId},
            {"amount", amount},
            {"currency", currency},
            {"at", at}};
}
StudentEnrolled StudentEnrolled::fromJson(const json& d) {
    return {EnrollmentId(text(d, "enrollmentId")),
            text(d, "studentId"),
            text(d, "courseId"),
            text(d, "source"),
            text(d, "paymentId"),
            integer(d, "amount"),
            text(d, "currency"),
            integer(d, "at")};
}

json EnrollmentRevoked::toJson() const { return {{"reason", reason}, {"paymentId", paymentId}, {"at", at}}; }
EnrollmentRevoked EnrollmentRevoked::fromJson(const json& d) {
    return {text(d, "reason"), text(d, "paymentId"), integer(d, "at")};
}

}  // namespace lms::domain::enrollment
