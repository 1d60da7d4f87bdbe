#include "domain/certificates/certificate.hpp"

#include <algorithm>

namespace lms::domain::certificates {
namespace {

using Kind = DomainError::Kind;

DomainError refusal(Kind kind, const char* code, const char* message) { return {kind, code, message, "", {}}; }

Decision one(DomainEvent e) { return std::vector<DomainEvent>{std::move(e)}; }

std::optional<DomainError> badReason(const std::string& reason, bool required) {
    if (required && reason.empty()) return invalid({{"reason", "a reason is required"}});
    if (reason.size() > kMaxReason) return invalid({{"reason", "at most 500 bytes"}});
    return std::nullopt;
}

}  // namespace

const Certificate::Revision* Certificate::State::revision(std::int64_t r) const {
    const auto it = revisions.find(r);
    return it == revisions.end() ? nullptr : &it->second;
}

std::vector<std::string> Certificate::State::superseded() const {
    std::vector<std::string> out;
    for (const auto& [n, r] : revisions)
        if (n != current() && !r.sha256.empty()) out.push_back(r.sha256);
    return out;
}

std::vector<std::string> Certificate::State::storedKeys() const {
    std::vector<std::string> out;
    for (const auto& [n, r] : revisions)
        if (!r.objectKey.empty() && erasedKeys.count(r.objectKey) == 0) out.push_back(r.objectKey);
    return out;
}

Certificate::State Certificate::evolve(State s, const CertificateEvents::Event& event) {
    std::visit(
        Overloaded{
            [&](const CertificateIssued& e) {
                s.exists = true;
                s.issued = e;
                s.revisions[1] = Revision{e.courseTitle, e.studentName, e.at, "", "", false};
            },
            [&](const CertificateRendered& e) {
                if (auto it = s.revisions.find(e.revision); it != s.revisions.end()) it->second.sha256 = e.sha256;
            },
            [&](const CertificateStored& e) {
                if (auto it = s.revisions.find(e.revision); it != s.revisions.end()) it->second.objectKey = e.objectKey;
            },
            [&](const CertificateMailed& e) {
                if (auto it = s.revisions.find(e.revision); it != s.revisions.end()) it->second.mailed = true;
            },
            [&](const CertificateRevoked& e) {
                s.revoked = true;
                s.revokedReason = e.reason;
                s.revokedAt = e.at;
            },
            [&](const CertificateReissued& e) {
                s.revisions[e.revision] = Revision{e.courseTitle, e.studentName, e.at, "", "", false};
            },
            [&](const CertificateFilesErased& e) { s.erasedKeys.insert(e.objectKeys.begin(), e.objectKeys.end()); },
        },
        event);
    return s;
}

Decision Certificate::decide(const State& s, const Command& command) {
    const auto notFound = [] {
        return unexpected(refusal(Kind::NotFound, "certificate_not_found", "no such certificate"));
    };
    return std::visit(
        Overloaded{
            [&](const IssueCertificate& c) -> Decision {
                if (s.exists) return std::vector<DomainEvent>{};
                return one(CertificateEvents::encode(c.issued));
            },
            [&](const RecordRendered& c) -> Decision {
                if (!s.exists) return notFound();
                const auto* r = s.revision(c.revision);
                // Once per digest; a render with other bytes (another renderer or fonts since) replaces
                // the digest only while no PDF of the revision has been stored: nothing was published.
                if (c.revision != s.current() || r == nullptr || r->sha256 == c.sha256 || !r->objectKey.empty())
                    return std::vector<DomainEvent>{};
                return one(CertificateEvents::encode(CertificateRendered{c.revision, c.sha256, c.bytes, c.at}));
            },
            [&](const RecordStored& c) -> Decision {
                if (!s.exists) return notFound();
                const auto* r = s.revision(c.revision);
                if (c.revision != s.current() || r == nullptr || !r->objectKey.empty())
                    return std::vector<DomainEvent>{};
                if (r->sha256 != c.sha256)
                    return unexpected(refusal(Kind::Conflict, "digest_mismatch",
                                              "the stored PDF is not the one rendered for this revision"));
                return one(CertificateEvents::encode(CertificateStored{c.revision, c.sha256, c.objectKey, c.at}));
            },
            [&](const RecordMailed& c) -> Decision {
                if (!s.exists) return notFound();
                const auto* r = s.revision(c.revision);
                if (r == nullptr || r->mailed) return std::vector<DomainEvent>{};
                return one(CertificateEvents::encode(CertificateMailed{c.revision, c.at}));
            },
            [&](const RevokeCertificate& c) -> Decision {
                if (!s.exists) return notFound();
                if (auto bad = badReason(c.reason, true)) return unexpected(*bad);
                if (s.revoked) return std::vector<DomainEvent>{};
                return one(CertificateEvents::encode(CertificateRevoked{c.reason, c.at}));
            },
            [&](const ReissueCertificate& c) -> Decision {
                if (!s.exists) return notFound();
                if (auto bad = badReason(c.reason, false)) return unexpected(*bad);
                if (s.revoked)
                    return unexpected(
                        refusal(Kind::Conflict, "certificate_revoked", "a revoked certificate is not reissued"));
                if (c.studentName.empty())
                    return unexpected(refusal(Kind::Conflict, "student_erased",
                                              "the student was erased at their request: a new PDF would carry no name"));
                return one(CertificateEvents::encode(CertificateReissued{
                    s.current() + 1, s.issued.studentId, c.courseTitle, c.studentName, c.reason, c.at}));
            },
            [&](const RecordFilesErased& c) -> Decision {
                if (!s.exists) return notFound();
                // Each stored PDF once: keys deleted before, or never stored here, are left out.
                const auto stored = s.storedKeys();
                std::vector<std::string> keys;
                for (const auto& k : c.objectKeys)
                    if (std::find(stored.begin(), stored.end(), k) != stored.end() &&
                        std::find(keys.begin(), keys.end(), k) == keys.end())
                        keys.push_back(k);
                if (keys.empty()) return std::vector<DomainEvent>{};
                return one(CertificateEvents::encode(CertificateFilesErased{keys, c.at}));
            },
        },
        command);
}

nlohmann::json verificationJson(const VerificationFields& f) {
    nlohmann::json j = {{"certId", f.certId},
                        {"status", f.status},
                        {"student", {{"name", f.studentErased ? nlohmann::json() : nlohmann::json(f.studentName)}}},
                        {"course", {{"id", f.courseId}, {"title", f.courseTitle}}},
                        {"issuedAt", f.issuedAt},
                        {"sha256", f.sha256.empty() ? nlohmann::json() : nlohmann::json(f.sha256)},
                        {"supersededSha256", f.superseded}};
    if (f.status == "REVOKED") {
        j["revokedAt"] = f.revokedAt;
        j["revocationReason"] = f.revocationReason;
    }
    return j;
}

std::string canonicalJson(const nlohmann::json& document) {
    // nlohmann's object is a std::map: keys come out sorted by their UTF-8 bytes (for the ASCII
    // keys used here, the same as RFC 8785's UTF-16 order); dump() with no indent adds no
    // whitespace and, without ensure_ascii, leaves non-ASCII text as it is.
    return document.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
}

}  // namespace lms::domain::certificates
