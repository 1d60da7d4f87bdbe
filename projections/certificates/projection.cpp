#include "projections/certificates/projection.hpp"

#include <nlohmann/json.hpp>

#include "common/ids.hpp"
#include "domain/certificates/events.hpp"
#include "domain/certificates/ids.hpp"
#include "domain/identity/events.hpp"
#include "domain/identity/ids.hpp"
#include "eventstore/personal_data.hpp"

namespace lms::projections::certificates {

namespace dc = domain::certificates;
namespace di = domain::identity;
using domain::Overloaded;

std::string CertificatesProjection::ddl() const {
    return R"sql(
CREATE TABLE certificates (
    cert_id           text PRIMARY KEY,
    version           bigint NOT NULL,
    enrollment_id     uuid NOT NULL,
    student_id        uuid NOT NULL,
    course_id         uuid NOT NULL,
    course_title      text NOT NULL,
    student_name      text,
    issued_at         timestamptz NOT NULL,
    revision          bigint NOT NULL,
    sha256            text,
    object_key        text,
    superseded        text[] NOT NULL DEFAULT '{}',
    mailed            boolean NOT NULL DEFAULT false,
    revoked_at        timestamptz,
    revoked_reason    text
);
CREATE INDEX certificates_student ON certificates (student_id, issued_at DESC);
)sql";
}

namespace {

// The name, opened with the student's key; nothing once it is shredded.
std::optional<std::string> openedName(pg::Connection& c, const std::string& studentId, const std::string& sealed) {
    if (!eventstore::PersonalData::isSealed(sealed)) return sealed;
    return eventstore::PersonalData(c).open(di::userStream(di::UserId(studentId)), sealed);
}

}  // namespace

void CertificatesProjection::apply(pg::Connection& c, const eventstore::RecordedEvent& r) {
    if (r.type == di::UserErased::kType) {
        if (const auto user = di::userOfStream(r.streamId); user && isUuid(user->value()))
            c.query("UPDATE certificates SET student_name = NULL WHERE student_id = $1", {user->value()});
        return;
    }
    const auto id = dc::certificateOfStream(r.streamId);
    if (!id) return;
    const domain::DomainEvent stored{r.type, r.schemaVersion, nlohmann::json::parse(r.data, nullptr, false)};
    const auto event = stored.data.is_object() ? dc::CertificateEvents::decode(stored) : std::nullopt;
    const std::string version = std::to_string(r.version);
    const auto fresh = [&]() {
        return c.query(
            "UPDATE certificates SET version = $2 WHERE cert_id = $1 AND version < $2 RETURNING student_id::text",
            {*id, version});
    };
    if (!event) {
        fresh();
        return;
    }
    std::visit(
        Overloaded{
            [&](const dc::CertificateIssued& e) {
                if (!isUuid(e.studentId) || !isUuid(e.courseId) || !isUuid(e.enrollmentId)) return;
                const auto name = openedName(c, e.studentId, e.studentName);
                c.query(
                    "INSERT INTO certificates (cert_id, version, enrollment_id, student_id, course_id, "
                    "course_title, student_name, issued_at, revision) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1) ON CONFLICT DO NOTHING",
                    {*id, version, e.enrollmentId, e.studentId, e.courseId, e.courseTitle, name, eventTime(e.at, r)});
            },
            [&](const dc::CertificateRendered& e) {
                if (fresh().rows() == 0) return;
                c.query("UPDATE certificates SET sha256 = $3 WHERE cert_id = $1 AND revision = $2",
                        {*id, std::to_string(e.revision), e.sha256});
            },
            [&](const dc::CertificateStored& e) {
                if (fresh().rows() == 0) return;
                c.query("UPDATE certificates SET object_key = $3 WHERE cert_id = $1 AND revision = $2",
                        {*id, std::to_string(e.revision), e.objectKey});
            },
            [&](const dc::CertificateMailed& e) {
                if (fresh().rows() == 0) return;
                c.query("UPDATE certificates SET mailed = true WHERE cert_id = $1 AND revision = $2",
                        {*id, std::to_string(e.revision)});
            },
            [&](const dc::CertificateRevoked& e) {
                if (fresh().rows() == 0) return;
                c.query("UPDATE certificates SET revoked_at = $2, revoked_reason = $3 WHERE cert_id = $1",
                        {*id, eventTime(e.at, r), e.reason});
            },
            [&](const dc::CertificateReissued& e) {
                const auto row = fresh();
                if (row.rows() == 0) return;
                const auto name = openedName(c, row.str(0, 0), e.studentName);
                c.query(
                    "UPDATE certificates SET revision = $2, course_title = $3, student_name = $4, "
                    "superseded = CASE WHEN sha256 IS NULL THEN superseded ELSE superseded || sha256 END, "
                    "sha256 = NULL, object_key = NULL, mailed = false WHERE cert_id = $1",
                    {*id, std::to_string(e.revision), e.courseTitle, name});
            },
            [&](const dc::CertificateFilesErased& e) {
                if (fresh().rows() == 0) return;
                for (const auto& key : e.objectKeys)
                    c.query("UPDATE certificates SET object_key = NULL WHERE cert_id = $1 AND object_key = $2",
                            {*id, key});
            },
        },
        *event);
}

}  // namespace lms::projections::certificates
