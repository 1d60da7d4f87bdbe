#pragma once
// Reads of the enrollment read model (projection.hpp writes it), joined with the catalog's
// courses and identity's users where an answer shows them. Every SELECT on it lives here.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/paging.hpp"
#include "eventstore/pg.hpp"

namespace lms::projections::enrollment {

struct EnrollmentRow {
    std::string id;
    std::string studentId;
    std::string courseId;
    std::string status;  // ACTIVE or REVOKED
    std::string source;  // FREE or PAYMENT
    std::string paymentId;
    std::int64_t amount = 0;
    std::string currency;
    std::string enrolledAt;
    std::optional<std::string> revokedAt;
    std::string revokedReason;
    std::int64_t version = 0;
    // Shown beside it: the course's title and slug (lists), the student's name (an instructor's list).
    std::string courseTitle, courseSlug, studentName;
};

struct EnrollmentFilter {
    std::optional<std::string> courseId, studentId, status;
};

std::optional<EnrollmentRow> findEnrollment(pg::Connection& c, const std::string& studentId,
                                            const std::string& courseId);
// True when the student has access to the course's content now.
bool enrolled(pg::Connection& c, const std::string& studentId, const std::string& courseId);
// The student's enrollments, newest first.
Page<EnrollmentRow> enrollmentsOf(pg::Connection& c, const std::string& studentId, const PageRequest& page);
// The students of a course (its instructor's view), newest first.
Page<EnrollmentRow> studentsOf(pg::Connection& c, const std::string& courseId, const PageRequest& page);
// Every enrollment matching the filter (admins), newest first.
Page<EnrollmentRow> enrollments(pg::Connection& c, const EnrollmentFilter& filter, const PageRequest& page);
// Active enrollments per course, for the courses given.
std::unordered_map<std::string, std::int64_t> activeCounts(pg::Connection& c, const std::vector<std::string>& courseIds);

}  // namespace lms::projections::enrollment
