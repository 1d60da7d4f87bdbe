#include "projections/progress/queries.hpp"

#include <set>

#include "domain/progress/progress.hpp"
#include "projections/projection.hpp"

namespace lms::projections::progress {

ProgressRow progressOf(pg::Connection& c, const std::string& enrollmentId, const std::string& courseId) {
    const auto lectures = c.query(
        "SELECT l.lecture_id, (p.lecture_id IS NOT NULL) FROM lms_rm.lectures l "
        "LEFT JOIN lms_rm.sections s ON s.course_id = l.course_id AND s.section_id = l.section_id "
        "LEFT JOIN lms_rm.progress_lectures p ON p.enrollment_id = $1 AND p.lecture_id = l.lecture_id "
        "WHERE l.course_id = $2 ORDER BY s.position NULLS LAST, l.position, l.lecture_id",
        {enrollmentId, courseId});
    std::vector<std::string> all;
    std::set<std::string> done;
    ProgressRow out;
    for (int i = 0; i < lectures.rows(); ++i) {
        all.push_back(lectures.str(i, 0));
        if (lectures.str(i, 1) == "t") {
            done.insert(lectures.str(i, 0));
            out.completed.push_back(lectures.str(i, 0));
        }
    }
    const auto f = domain::progress::figures(done, all);
    out.completedLectures = f.completedLectures;
    out.totalLectures = f.totalLectures;
    out.percent = f.percent;
    const auto p =
        c.query("SELECT " + rfc3339("completed_at") + ", certificate_id FROM lms_rm.progress WHERE enrollment_id = $1",
                {enrollmentId});
    if (p.rows() == 1) {
        if (!p.isNull(0, 0)) out.completedAt = p.str(0, 0);
        if (!p.isNull(0, 1)) out.certificateId = p.str(0, 1);
    }
    return out;
}

}  // namespace lms::projections::progress
