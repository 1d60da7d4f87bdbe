#include "projections/certificates/queries.hpp"

#include <nlohmann/json.hpp>

#include "projections/projection.hpp"

namespace lms::projections::certificates {
namespace {

const std::string kColumns =
    "cert_id, enrollment_id::text, student_id::text, course_id::text, course_title, student_name, " +
    rfc3339("issued_at") + ", revision, sha256, object_key, to_json(superseded)::text, mailed, " +
    rfc3339("revoked_at") + ", revoked_reason, version";

std::optional<std::string> optional(const pg::Result& r, int i, int col) {
    if (r.isNull(i, col)) return std::nullopt;
    return r.str(i, col);
}

CertificateRow row(const pg::Result& r, int i) {
    CertificateRow out;
    out.certId = r.str(i, 0);
    out.enrollmentId = r.str(i, 1);
    out.studentId = r.str(i, 2);
    out.courseId = r.str(i, 3);
    out.courseTitle = r.str(i, 4);
    out.studentName = optional(r, i, 5);
    out.issuedAt = r.str(i, 6);
    out.revision = r.i64(i, 7);
    out.sha256 = optional(r, i, 8);
    out.objectKey = optional(r, i, 9);
    const auto superseded = nlohmann::json::parse(r.str(i, 10), nullptr, false);
    if (superseded.is_array())
        for (const auto& s : superseded)
            if (s.is_string()) out.superseded.push_back(s.get<std::string>());
    out.mailed = r.boolean(i, 11);
    out.revokedAt = optional(r, i, 12);
    out.revokedReason = optional(r, i, 13);
    out.version = r.i64(i, 14);
    return out;
}

}  // namespace

std::optional<CertificateRow> findCertificate(pg::Connection& c, const std::string& certId) {
    const auto r = c.query("SELECT " + kColumns + " FROM lms_rm.certificates WHERE cert_id = $1", {certId});
    if (r.rows() == 0) return std::nullopt;
    return row(r, 0);
}

Page<CertificateRow> certificatesOf(pg::Connection& c, const std::string& studentId, const PageRequest& page) {
    Page<CertificateRow> out;
    out.totalItems = c.query("SELECT count(*) FROM lms_rm.certificates WHERE student_id = $1", {studentId}).i64(0, 0);
    if (out.totalItems == 0) return out;
    const auto r = c.query("SELECT " + kColumns +
                               " FROM lms_rm.certificates WHERE student_id = $1 ORDER BY issued_at DESC, cert_id "
                               "LIMIT $2 OFFSET $3",
                           {studentId, std::to_string(page.limit), std::to_string(page.offset())});
    for (int i = 0; i < r.rows(); ++i) out.items.push_back(row(r, i));
    return out;
}

}  // namespace lms::projections::certificates
