#pragma once
// The progress context's events: lectures completed by an enrolled student, a restart, and the
// course completed (once per enrollment: what issues the certificate). Ids only, no personal
// field. docs/events.md is the catalogue.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "domain/core/codec.hpp"

namespace lms::domain::progress {

struct LectureCompleted {
    static constexpr std::string_view kType = "LectureCompleted";
    static constexpr int kSchemaVersion = 1;
    std::string enrollmentId, studentId, courseId, lectureId;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static LectureCompleted fromJson(const nlohmann::json& d);
};
// Every completed lecture stops counting; a course completed before stays completed.
struct ProgressReset {
    static constexpr std::string_view kType = "ProgressReset";
    static constexpr int kSchemaVersion = 1;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static ProgressReset fromJson(const nlohmann::json& d);
};
// Every lecture the course had at that moment was completed; certificateId names the certificate
// issued for it (in the same transaction, by the certificates context).
struct CourseCompleted {
    static constexpr std::string_view kType = "CourseCompleted";
    static constexpr int kSchemaVersion = 1;
    std::string enrollmentId, studentId, courseId, certificateId;
    std::int64_t lectures = 0;  // how many the course had
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CourseCompleted fromJson(const nlohmann::json& d);
};

using ProgressEvents = EventCodec<LectureCompleted, ProgressReset, CourseCompleted>;

}  // namespace lms::domain::progress
