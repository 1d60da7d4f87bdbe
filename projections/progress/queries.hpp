#pragma once
// Reads of the progress read model (projection.hpp writes it), against the catalog's lectures of
// the moment. Every SELECT on it lives here.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "eventstore/pg.hpp"

namespace lms::projections::progress {

struct ProgressRow {
    std::int64_t completedLectures = 0;  // among the course's lectures now
    std::int64_t totalLectures = 0;
    int percent = 0;
    std::vector<std::string> completed;  // lecture ids, the course's own, in the course's order
    std::optional<std::string> completedAt, certificateId;
};

// The student's progress in the enrollment's course (zero when nothing was completed yet).
ProgressRow progressOf(pg::Connection& c, const std::string& enrollmentId, const std::string& courseId);

}  // namespace lms::projections::progress
