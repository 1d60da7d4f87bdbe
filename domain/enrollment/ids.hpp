#pragma once
// The enrollment context's ids and stream names. One stream per student and course
// (enrollment-<enrollmentId>), the id derived from the pair by the use cases: a second enroll
// finds the first one's stream, so that no student is ever enrolled twice in a course.
#include <optional>
#include <string>
#include <string_view>

#include "domain/core/categories.hpp"
#include "domain/core/named_type.hpp"

namespace lms::domain::enrollment {

using EnrollmentId = NamedType<std::string, struct EnrollmentIdTag>;

inline constexpr std::string_view kContext = "enrollment";
inline constexpr std::string_view kEnrollmentCategory = "enrollment";  // enrollment-<id>: the Enrollment aggregate
inline constexpr StreamCategory kCategories[] = {{kEnrollmentCategory, kContext}};

inline std::string enrollmentStream(const EnrollmentId& id) {
    return std::string(kEnrollmentCategory) + "-" + id.value();
}

inline std::optional<EnrollmentId> enrollmentOfStream(std::string_view streamId) {
    const auto n = kEnrollmentCategory.size();
    if (streamId.size() <= n + 1 || streamId.substr(0, n) != kEnrollmentCategory || streamId[n] != '-')
        return std::nullopt;
    return EnrollmentId(std::string(streamId.substr(n + 1)));
}

}  // namespace lms::domain::enrollment
