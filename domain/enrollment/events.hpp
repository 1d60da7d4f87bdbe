#pragma once
// The enrollment context's events: a student gains access to a course (free, or paid for) and
// may lose it (a refund, an admin's revocation). Metadata names the actor. No personal field: ids
// only. docs/events.md is the catalogue.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "domain/core/codec.hpp"
#include "domain/enrollment/ids.hpp"

namespace lms::domain::enrollment {

inline constexpr std::string_view kSourceFree = "FREE";
inline constexpr std::string_view kSourcePayment = "PAYMENT";

// Access begins (again, after a revocation).
struct StudentEnrolled {
    static constexpr std::string_view kType = "StudentEnrolled";
    static constexpr int kSchemaVersion = 1;
    EnrollmentId enrollmentId;
    std::string studentId;
    std::string courseId;
    std::string source;       // FREE or PAYMENT
    std::string paymentId;    // the payment that paid for it (PAYMENT), else empty
    std::int64_t amount = 0;  // what was paid, minor units (0 when free)
    std::string currency;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static StudentEnrolled fromJson(const nlohmann::json& d);
};
// Access ends: the payment was refunded, or an admin revoked it.
struct EnrollmentRevoked {
    static constexpr std::string_view kType = "EnrollmentRevoked";
    static constexpr int kSchemaVersion = 1;
    std::string reason;     // refunded, revoked_by_admin, ...
    std::string paymentId;  // the refunded payment, when it is a refund
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static EnrollmentRevoked fromJson(const nlohmann::json& d);
};

using EnrollmentEvents = EventCodec<StudentEnrolled, EnrollmentRevoked>;

}  // namespace lms::domain::enrollment
