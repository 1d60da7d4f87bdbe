#pragma once
// A certificate: the Certificate aggregate (stream certificate-<certId>). Issued with the
// completion of a course (the progress use case runs Issue in its transaction); each revision
// gets one PDF, rendered, stored and mailed by the workers, each step recorded here once.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "domain/core/decider.hpp"
#include "domain/certificates/events.hpp"

namespace lms::domain::certificates {

struct IssueCertificate {
    CertificateIssued issued;
};
// What a worker did for a revision; work for a revision a reissue has replaced decides nothing.
struct RecordRendered {
    std::int64_t revision = 1;
    std::string sha256;
    std::int64_t bytes = 0;
    std::int64_t at = 0;
};
struct RecordStored {
    std::int64_t revision = 1;
    std::string sha256, objectKey;
    std::int64_t at = 0;
};
struct RecordMailed {
    std::int64_t revision = 1;
    std::int64_t at = 0;
};
struct RevokeCertificate {
    std::string reason;
    std::int64_t at = 0;
};
struct ReissueCertificate {
    std::string courseTitle, studentName, reason;
    std::int64_t at = 0;
};
// The student was erased: the worker deleted these stored PDFs (each recorded once).
struct RecordFilesErased {
    std::vector<std::string> objectKeys;
    std::int64_t at = 0;
};

// Text limits of an admin's reason.
inline constexpr std::size_t kMaxReason = 500;

struct Certificate : EventSourced<Certificate, CertificateEvents> {
    using Command = std::variant<IssueCertificate, RecordRendered, RecordStored, RecordMailed, RevokeCertificate,
                                 ReissueCertificate, RecordFilesErased>;
    struct Revision {
        std::string courseTitle, studentName;
        std::int64_t at = 0;
        std::string sha256;     // once rendered
        std::string objectKey;  // once stored
        bool mailed = false;
    };
    struct State {
        bool exists = false;
        CertificateIssued issued;
        std::map<std::int64_t, Revision> revisions;  // 1 (the issue), 2, ... (reissues)
        bool revoked = false;
        std::string revokedReason;
        std::int64_t revokedAt = 0;
        std::set<std::string> erasedKeys;  // stored PDFs deleted at the student's erasure
        bool filesErased() const { return !erasedKeys.empty(); }
        // The stored PDFs not deleted yet, oldest revision first.
        std::vector<std::string> storedKeys() const;
        std::int64_t current() const { return revisions.empty() ? 0 : revisions.rbegin()->first; }
        const Revision* revision(std::int64_t r) const;
        // The digests of the earlier revisions' PDFs, oldest first (what a reissue superseded).
        std::vector<std::string> superseded() const;
    };
    static State initial() { return {}; }
    using EventSourced::evolve;
    static State evolve(State s, const CertificateEvents::Event& e);
    static Decision decide(const State& s, const Command& c);
};
static_assert(Decider<Certificate>);

// The fields a certificate's signature covers, as GET /certificates/{certId} shows them (without
// pdfUrl, which changes with each answer, and the signature itself).
struct VerificationFields {
    std::string certId, status;  // VALID or REVOKED
    std::string studentName;     // empty once the student was erased
    bool studentErased = false;
    std::string courseId, courseTitle, issuedAt;  // issuedAt: RFC 3339
    std::string sha256;                           // the current PDF's digest, empty until rendered
    std::vector<std::string> superseded;
    std::string revokedAt, revocationReason;  // when REVOKED
};
nlohmann::json verificationJson(const VerificationFields& f);
// The bytes signed: the JSON above with its keys sorted, no whitespace, strings as UTF-8 with
// only '"', '\\' and control characters escaped (RFC 8785's form for a document without numbers).
std::string canonicalJson(const nlohmann::json& document);

}  // namespace lms::domain::certificates
