#include "domain/certificates/events.hpp"

namespace lms::domain::certificates {

using fields::integer;
using fields::text;
using nlohmann::json;

json CertificateIssued::toJson() const {
    return {{"certificateId", certificateId},
            {"enrollmentId", enrollmentId},
            {"studentId", studentId},
            {"courseId", courseId},
            {"courseTitle", courseTitle},
            {"studentName", studentName},
            {"at", at}};
}
CertificateIssued CertificateIssued::fromJson(const json& d) {
    return {text(d, "certificateId"), text(d, "enrollmentId"), text(d, "studentId"), text(d, "courseId"),
            text(d, "courseTitle"),   text(d, "studentName"),  integer(d, "at")};
}

json CertificateRendered::toJson() const {
    return {{"revision", revision}, {"sha256", sha256}, {"bytes", bytes}, {"at", at}};
}
CertificateRendered CertificateRendered::fromJson(const json& d) {
    return {integer(d, "revision"), text(d, "sha256"), integer(d, "bytes"), integer(d, "at")};
}

json CertificateStored::toJson() const {
    return {{"revision", revision}, {"sha256", sha256}, {"objectKey", objectKey}, {"at", at}};
}
CertificateStored CertificateStored::fromJson(const json& d) {
    return {integer(d, "revision"), text(d, "sha256"), text(d, "objectKey"), integer(d, "at")};
}

json CertificateMailed::toJson() const { return {{"revision", revision}, {"at", at}}; }
CertificateMailed CertificateMailed::fromJson(const json& d) { return {integer(d, "revision"), integer(d, "at")}; }

json CertificateRevoked::toJson() const { return {{"reason", reason}, {"at", at}}; }
CertificateRevoked CertificateRevoked::fromJson(const json& d) { return {text(d, "reason"), integer(d, "at")}; }

json CertificateReissued::toJson() const {
    return {{"revision", revision},       {"studentId", studentId}, {"courseTitle", courseTitle},
            {"studentName", studentName}, {"reason", reason},       {"at", at}};
}
CertificateReissued CertificateReissued::fromJson(const json& d) {
    return {integer(d, "revision"), text(d, "studentId"), text(d, "courseTitle"),
            text(d, "studentName"), text(d, "reason"),    integer(d, "at")};
}

json CertificateFilesErased::toJson() const { return {{"objectKeys", objectKeys}, {"at", at}}; }
CertificateFilesErased CertificateFilesErased::fromJson(const json& d) {
    CertificateFilesErased e;
    if (d.contains("objectKeys") && d["objectKeys"].is_array()) {
        for (const auto& k : d["objectKeys"])
            if (k.is_string()) e.objectKeys.push_back(k.get<std::string>());
    }
    e.at = integer(d, "at");
    return e;
}

}  // namespace lms::domain::certificates
