#include "domain/progress/events.hpp"

namespace lms::domain::progress {

using fields::integer;
using fields::text;
using nlohmann::json;

json LectureCompleted::toJson() const {
    return {{"enrollmentId", enrollmentId},
            {"studentId", studentId},
            {"courseId", courseId},
            {"lectureId", lectureId},
            {"at", at}};
}
LectureCompleted LectureCompleted::fromJson(const json& d) {
    return {text(d, "enrollmentId"), text(d, "studentId"), text(d, "courseId"), text(d, "lectureId"), integer(d, "at")};
}

json ProgressReset::toJson() const { return {{"at", at}}; }
ProgressReset ProgressReset::fromJson(const json& d) { return {integer(d, "at")}; }

json CourseCompleted::toJson() const {
    return {{"enrollmentId", enrollmentId},   {"studentId", studentId}, {"courseId", courseId},
            {"certificateId", certificateId}, {"lectures", lectures},   {"at", at}};
}
CourseCompleted CourseCompleted::fromJson(const json& d) {
    return {text(d, "enrollmentId"),  text(d, "studentId"),   text(d, "courseId"),
            text(d, "certificateId"), integer(d, "lectures"), integer(d, "at")};
}

}  // namespace lms::domain::progress
