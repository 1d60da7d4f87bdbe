#pragma once
// The progress context's stream names: one stream per enrollment (progress-<enrollmentId>), the
// student's completed lectures in that course, from the first completion on.
#include <optional>
#include <string>
#include <string_view>

#include "domain/core/categories.hpp"

namespace lms::domain::progress {

inline constexpr std::string_view kContext = "progress";
inline constexpr std::string_view kProgressCategory = "progress";  // progress-<enrollmentId>
inline constexpr StreamCategory kCategories[] = {{kProgressCategory, kContext}};

inline std::string progressStream(std::string_view enrollmentId) {
    return std::string(kProgressCategory) + "-" + std::string(enrollmentId);
}

inline std::optional<std::string> enrollmentOfProgressStream(std::string_view streamId) {
    const auto n = kProgressCategory.size();
    if (streamId.size() <= n + 1 || streamId.substr(0, n) != kProgressCategory || streamId[n] != '-')
        return std::nullopt;
    return std::string(streamId.substr(n + 1));
}

}  // namespace lms::domain::progress
