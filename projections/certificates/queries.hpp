#pragma once
// Reads of the certificates read model (projection.hpp writes it). Every SELECT on it lives here.
#include <optional>
#include <string>
#include <vector>

#include "common/paging.hpp"
#include "eventstore/pg.hpp"

namespace lms::projections::certificates {

struct CertificateRow {
    std::string certId, enrollmentId, studentId, courseId, courseTitle;
    std::optional<std::string> studentName;  // absent once the student was erased
    std::string issuedAt;                    // RFC 3339
    std::int64_t revision = 1;
    std::optional<std::string> sha256, objectKey;  // the current revision's PDF, once rendered and stored
    std::vector<std::string> superseded;
    bool mailed = false;
    std::optional<std::string> revokedAt, revokedReason;
    std::int64_t version = 0;
};

std::optional<CertificateRow> findCertificate(pg::Connection& c, const std::string& certId);
// The student's certificates, newest first.
Page<CertificateRow> certificatesOf(pg::Connection& c, const std::string& studentId, const PageRequest& page);

}  // namespace lms::projections::certificates
