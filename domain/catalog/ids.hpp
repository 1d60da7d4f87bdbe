#pragma once
// The catalog context's ids and stream names. A course is one stream (course-<courseId>) holding
// its sections and lectures: an edit anywhere in a course is one decision against one version.
#include <optional>
#include <string>
#include <string_view>

#include "domain/core/categories.hpp"
#include "domain/core/named_type.hpp"

namespace lms::domain::catalog {

using CourseId = NamedType<std::string, struct CourseIdTag>;
using SectionId = NamedType<std::string, struct SectionIdTag>;
using LectureId = NamedType<std::string, struct LectureIdTag>;

inline constexpr std::string_view kContext = "catalog";
inline constexpr std::string_view kCourseCategory = "course";  // course-<courseId>: the Course aggregate
inline constexpr StreamCategory kCategories[] = {{kCourseCategory, kContext}};

inline std::string courseStream(const CourseId& id) { return std::string(kCourseCategory) + "-" + id.value(); }

inline std::optional<CourseId> courseOfStream(std::string_view streamId) {
    const auto n = kCourseCategory.size();
    if (streamId.size() <= n + 1 || streamId.substr(0, n) != kCourseCategory || streamId[n] != '-') return std::nullopt;
    return CourseId(std::string(streamId.substr(n + 1)));
}

}  // namespace lms::domain::catalog
