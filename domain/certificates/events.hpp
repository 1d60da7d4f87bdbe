#pragma once
// The certificates context's events. The student's name is personal: sealed with the student's
// key when stored (kPersonalFields, subject user-<studentId>), so that an erasure leaves a
// certificate that verifies without saying whose it was. docs/events.md is the catalogue.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include <string_view>

#include "domain/core/codec.hpp"

namespace lms::domain::certificates {

inline constexpr std::string_view kPersonalFields[] = {"studentName"};
// Whose key seals an event's personal fields: the stream of the student the event names
// (user-<studentId>, identity's subject), or "" for an event that names nobody.
inline std::string personalSubjectOf(const nlohmann::json& data) {
    const auto it = data.find("studentId");
    if (it == data.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) return "";
    return "user-" + it->get<std::string>();
}

// Issued when the course was completed; the name and the title as they were at that moment.
struct CertificateIssued {
    static constexpr std::string_view kType = "CertificateIssued";
    static constexpr int kSchemaVersion = 1;
    std::string certificateId, enrollmentId, studentId, courseId, courseTitle, studentName;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CertificateIssued fromJson(const nlohmann::json& d);
};
// The PDF of one revision was rendered (by the certificate worker): its digest.
struct CertificateRendered {
    static constexpr std::string_view kType = "CertificateRendered";
    static constexpr int kSchemaVersion = 1;
    std::int64_t revision = 1;
    std::string sha256;  // hex, of the PDF's bytes
    std::int64_t bytes = 0;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CertificateRendered fromJson(const nlohmann::json& d);
};
// That PDF is in object storage under objectKey.
struct CertificateStored {
    static constexpr std::string_view kType = "CertificateStored";
    static constexpr int kSchemaVersion = 1;
    std::int64_t revision = 1;
    std::string sha256, objectKey;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CertificateStored fromJson(const nlohmann::json& d);
};
// The student was mailed the link to that PDF (by the mailer).
struct CertificateMailed {
    static constexpr std::string_view kType = "CertificateMailed";
    static constexpr int kSchemaVersion = 1;
    std::int64_t revision = 1;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CertificateMailed fromJson(const nlohmann::json& d);
};
// An admin revoked it: verification says so, when and why, from then on.
struct CertificateRevoked {
    static constexpr std::string_view kType = "CertificateRevoked";
    static constexpr int kSchemaVersion = 1;
    std::string reason;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CertificateRevoked fromJson(const nlohmann::json& d);
};
// An admin asked for a new PDF (same id): the name and title as they are now, a new revision.
struct CertificateReissued {
    static constexpr std::string_view kType = "CertificateReissued";
    static constexpr int kSchemaVersion = 1;
    std::int64_t revision = 2;
    std::string studentId, courseTitle, studentName, reason;  // studentId: whose key seals the name
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CertificateReissued fromJson(const nlohmann::json& d);
};

// The student was erased: the PDFs that carried their name were deleted from object storage (the
// certificate still verifies by its id, digest and signature, without a name or a file).
struct CertificateFilesErased {
    static constexpr std::string_view kType = "CertificateFilesErased";
    static constexpr int kSchemaVersion = 1;
    std::vector<std::string> objectKeys;  // what was deleted
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static CertificateFilesErased fromJson(const nlohmann::json& d);
};

using CertificateEvents = EventCodec<CertificateIssued, CertificateRendered, CertificateStored, CertificateMailed,
                                     CertificateRevoked, CertificateReissued, CertificateFilesErased>;

}  // namespace lms::domain::certificates
