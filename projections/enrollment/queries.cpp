#include "projections/enrollment/queries.hpp"

#include "common/ids.hpp"
#include "projections/projection.hpp"

namespace lms::projections::enrollment {
namespace {

// The columns row() reads: the enrollment e, its course c (the catalog's read model) and its
// student u (identity's; an erased student's name is gone).
const std::string kColumns =
    "e.enrollment_id::text, e.student_id::text, e.course_id::text, e.status, e.source, e.payment_id, e.amount, "
    "e.currency, " +
    rfc3339("e.enrolled_at") + ", " + rfc3339("e.revoked_at") +
    ", e.revoked_reason, e.version, coalesce(c.title, ''), coalesce(c.slug, ''), "
    "CASE WHEN u.status IS NULL OR u.status = 'DELETED' THEN '' "
    "ELSE btrim(concat_ws(' ', u.first_name, u.last_name)) END";
constexpr const char* kFrom =
    " FROM lms_rm.enrollments e LEFT JOIN lms_rm.courses c ON c.course_id = e.course_id "
    "LEFT JOIN lms_rm.users u ON u.user_id = e.student_id";

EnrollmentRow row(const pg::Result& r, int i) {
    EnrollmentRow out;
    out.id = r.str(i, 0);
    out.studentId = r.str(i, 1);
    out.courseId = r.str(i, 2);
    out.status = r.str(i, 3);
    out.source = r.str(i, 4);
    out.paymentId = r.str(i, 5);
    out.amount = r.i64(i, 6);
    out.currency = r.str(i, 7);
    out.enrolledAt = r.str(i, 8);
    if (!r.isNull(i, 9)) out.revokedAt = r.str(i, 9);
    out.revokedReason = r.str(i, 10);
    out.version = r.i64(i, 11);
    out.courseTitle = r.str(i, 12);
    out.courseSlug = r.str(i, 13);
    out.studentName = r.str(i, 14);
    return out;
}

Page<EnrollmentRow> page(pg::Connection& c, const std::string& where, pg::Params params, const PageRequest& request) {
    Page<EnrollmentRow> out;
    out.totalItems = c.query("SELECT count(*) FROM lms_rm.enrollments e WHERE " + where, params).i64(0, 0);
    if (out.totalItems == 0) return out;
    const auto n = params.size();
    params.emplace_back(std::to_string(request.limit));
    params.emplace_back(std::to_string(request.offset()));
    const auto r = c.query("SELECT " + kColumns + kFrom + " WHERE " + where +
                               " ORDER BY e.enrolled_at DESC, e.enrollment_id LIMIT $" + std::to_string(n + 1) +
                               " OFFSET $" + std::to_string(n + 2),
                           params);
    for (int i = 0; i < r.rows(); ++i) out.items.push_back(row(r, i));
    return out;
}

}  // namespace

std::optional<EnrollmentRow> findEnrollment(pg::Connection& c, const std::string& studentId,
                                            const std::string& courseId) {
    if (!isUuid(studentId) || !isUuid(courseId)) return std::nullopt;
    const auto r = c.query("SELECT " + kColumns + kFrom + " WHERE e.student_id = $1::uuid AND e.course_id = $2::uuid",
                           {studentId, courseId});
    if (r.rows() == 0) return std::nullopt;
    return row(r, 0);
}

bool enrolled(pg::Connection& c, const std::string& studentId, const std::string& courseId) {
    if (!isUuid(studentId) || !isUuid(courseId)) return false;
    return c.query(
                "SELECT 1 FROM lms_rm.enrollments WHERE student_id = $1::uuid AND course_id = $2::uuid AND "
                "status = 'ACTIVE'",
                {studentId, courseId})
               .rows() == 1;
}

Page<EnrollmentRow> enrollmentsOf(pg::Connection& c, const std::string& studentId, const PageRequest& request) {
    if (!isUuid(studentId)) return {};
    return page(c, "e.student_id = $1::uuid", {studentId}, request);
}

Page<EnrollmentRow> studentsOf(pg::Connection& c, const std::string& courseId, const PageRequest& request) {
    if (!isUuid(courseId)) return {};
    return page(c, "e.course_id = $1::uuid", {courseId}, request);
}

Page<EnrollmentRow> enrollments(pg::Connection& c, const EnrollmentFilter& f, const PageRequest& request) {
    std::string where = "true";
    pg::Params params;
    const auto add = [&](const std::string& column, const std::string& value, const char* cast) {
        params.emplace_back(value);
        where += " AND " + column + " = $" + std::to_string(params.size()) + cast;
    };
    if (f.courseId) {
        if (!isUuid(*f.courseId)) return {};
        add("e.course_id", *f.courseId, "::uuid");
    }
    if (f.studentId) {
        if (!isUuid(*f.studentId)) return {};
        add("e.student_id", *f.studentId, "::uuid");
    }
    if (f.status) add("e.status", *f.status, "");
    return page(c, where, params, request);
}

std::unordered_map<std::string, std::int64_t> activeCounts(pg::Connection& c,
                                                           const std::vector<std::string>& courseIds) {
    std::unordered_map<std::string, std::int64_t> out;
    std::string ids = "{";
    for (const auto& id : courseIds) {
        if (!isUuid(id)) continue;
        if (ids.size() > 1) ids += ',';
        ids += id;
    }
    ids += '}';
    if (ids == "{}") return out;
    const auto r = c.query(
        "SELECT course_id::text, count(*) FROM lms_rm.enrollments WHERE course_id = ANY($1::uuid[]) AND "
        "status = 'ACTIVE' GROUP BY course_id",
        {ids});
    for (int i = 0; i < r.rows(); ++i) out[r.str(i, 0)] = r.i64(i, 1);
    return out;
}

}  // namespace lms::projections::enrollment
