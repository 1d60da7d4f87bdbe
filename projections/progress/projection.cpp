#include "projections/progress/projection.hpp"

#include <nlohmann/json.hpp>

#include "common/ids.hpp"
#include "domain/progress/events.hpp"
#include "domain/progress/ids.hpp"

namespace lms::projections::progress {

namespace dp = domain::progress;
using domain::Overloaded;

std::string ProgressProjection::ddl() const {
    return R"sql(
CREATE TABLE progress (
    enrollment_id   uuid PRIMARY KEY,
    version         bigint NOT NULL,
    student_id      uuid NOT NULL,
    course_id       uuid NOT NULL,
    completed_at    timestamptz,
    certificate_id  text,
    reset_at        timestamptz
);
CREATE INDEX progress_student ON progress (student_id, course_id);
CREATE TABLE progress_lectures (
    enrollment_id  uuid NOT NULL,
    lecture_id     text NOT NULL,
    completed_at   timestamptz NOT NULL,
    PRIMARY KEY (enrollment_id, lecture_id)
);
)sql";
}

void ProgressProjection::apply(pg::Connection& c, const eventstore::RecordedEvent& r) {
    const auto id = dp::enrollmentOfProgressStream(r.streamId);
    if (!id || !isUuid(*id)) return;
    const domain::DomainEvent stored{r.type, r.schemaVersion, nlohmann::json::parse(r.data, nullptr, false)};
    const auto event = stored.data.is_object() ? dp::ProgressEvents::decode(stored) : std::nullopt;
    const std::string version = std::to_string(r.version);
    if (!event) {
        c.query("UPDATE progress SET version = $2 WHERE enrollment_id = $1 AND version < $2", {*id, version});
        return;
    }
    // The guard: this event is new to the row (the row's version is below it). The first event
    // of the stream is always a LectureCompleted, which creates the row.
    const auto fresh = [&]() {
        return c.query("UPDATE progress SET version = $2 WHERE enrollment_id = $1 AND version < $2 RETURNING 1",
                       {*id, version})
                   .rows() == 1;
    };
    std::visit(Overloaded{
                   [&](const dp::LectureCompleted& e) {
                       if (!isUuid(e.studentId) || !isUuid(e.courseId)) return;
                       const bool created = c.query(
                                                 "INSERT INTO progress (enrollment_id, version, student_id, course_id) "
                                                 "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1",
                                                 {*id, version, e.studentId, e.courseId})
                                                .rows() == 1;
                       if (!created && !fresh()) return;
                       c.query(
                           "INSERT INTO progress_lectures (enrollment_id, lecture_id, completed_at) "
                           "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                           {*id, e.lectureId, eventTime(e.at, r)});
                   },
                   [&](const dp::ProgressReset& e) {
                       if (!fresh()) return;
                       c.query("DELETE FROM progress_lectures WHERE enrollment_id = $1", {*id});
                       c.query("UPDATE progress SET reset_at = $2 WHERE enrollment_id = $1", {*id, eventTime(e.at, r)});
                   },
                   [&](const dp::CourseCompleted& e) {
                       if (!fresh()) return;
                       c.query("UPDATE progress SET completed_at = $2, certificate_id = $3 WHERE enrollment_id = $1",
                               {*id, eventTime(e.at, r), e.certificateId});
                   },
               },
               *event);
}

}  // namespace lms::projections::progress
