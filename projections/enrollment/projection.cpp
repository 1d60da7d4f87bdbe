#include "projections/enrollment/projection.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/ids.hpp"
#include "domain/enrollment/events.hpp"

namespace lms::projections::enrollment {

namespace de = domain::enrollment;
using domain::Overloaded;

std::string Enrollments::ddl() const {
    return R"sql(
CREATE TABLE enrollments (
    enrollment_id   uuid PRIMARY KEY,
    version         bigint NOT NULL,
    student_id      uuid NOT NULL,
    course_id       uuid NOT NULL,
    status          text NOT NULL,
    source          text NOT NULL,
    payment_id      text NOT NULL,
    amount          bigint NOT NULL,
    currency        text NOT NULL,
    enrolled_at     timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_reason  text NOT NULL DEFAULT ''
);
CREATE INDEX enrollments_student ON enrollments (student_id, enrolled_at DESC);
CREATE INDEX enrollments_course ON enrollments (course_id, status, enrolled_at DESC);
)sql";
}

void Enrollments::apply(pg::Connection& c, const eventstore::RecordedEvent& r) {
    const auto id = de::enrollmentOfStream(r.streamId);
    if (!id) return;
    if (!isUuid(id->value())) {
        spdlog::warn("enrollment projection: skipping {} of stream {}: not an enrollment id", r.type, r.streamId);
        return;
    }
    const domain::DomainEvent stored{r.type, r.schemaVersion, nlohmann::json::parse(r.data, nullptr, false)};
    const auto event = stored.data.is_object() ? de::EnrollmentEvents::decode(stored) : std::nullopt;
    const std::string version = std::to_string(r.version);
    if (!event) {
        c.query("UPDATE enrollments SET version = $2 WHERE enrollment_id = $1 AND version < $2", {id->value(), version});
        return;
    }
    std::visit(Overloaded{
                   [&](const de::StudentEnrolled& e) {
                       if (!isUuid(e.studentId) || !isUuid(e.courseId)) return;
                       c.query(
                           "INSERT INTO enrollments (enrollment_id, version, student_id, course_id, status, source, "
                           "payment_id, amount, currency, enrolled_at) "
                           "VALUES ($1, $2, $3, $4, 'ACTIVE', $5, $6, $7, $8, $9) "
                           "ON CONFLICT (enrollment_id) DO UPDATE SET version = EXCLUDED.version, status = 'ACTIVE', "
                           "source = EXCLUDED.source, payment_id = EXCLUDED.payment_id, amount = EXCLUDED.amount, "
                           "currency = EXCLUDED.currency, enrolled_at = EXCLUDED.enrolled_at, revoked_at = NULL, "
                           "revoked_reason = '' WHERE enrollments.version < EXCLUDED.version",
                           {id->value(), version, e.studentId, e.courseId, e.source, e.paymentId,
                            std::to_string(e.amount), e.currency, eventTime(e.at, r)});
                   },
                   [&](const de::EnrollmentRevoked& e) {
                       c.query(
                           "UPDATE enrollments SET version = $2, status = 'REVOKED', revoked_at = $3, "
                           "revoked_reason = $4 WHERE enrollment_id = $1 AND version < $2",
                           {id->value(), version, eventTime(e.at, r), e.reason});
                   },
               },
               *event);
}

}  // namespace lms::projections::enrollment
