#pragma once
// The certificates context's use cases, callable without HTTP: issuing a certificate (run by the
// progress use case inside its transaction), an admin's revocation and reissue, and the steps the
// workers record (rendered, stored, mailed). Each runs the command loop with the Certificate
// decider on certificate-<certId>, the student's name sealed with their key, the read model
// applied inline.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/expected.hpp"
#include "domain/certificates/certificate.hpp"
#include "domain/progress/events.hpp"
#include "eventstore/command_loop.hpp"
#include "projections/certificates/queries.hpp"

namespace lms::certificates {

using domain::DomainError;
using domain::Metadata;
using domain::certificates::Certificate;
using projections::certificates::CertificateRow;

using CommitObserver = std::function<void(const std::vector<eventstore::RecordedEvent>&)>;
template <class T>
using Result = expected<T, DomainError>;

// A fresh certificate id (55 bits from OpenSSL's CSPRNG; domain/certificates/certificate_id.hpp).
std::string newCertificateId();

// How the certificates' stored events are written and read: the student's name sealed with the
// student's key (subject user-<studentId>) and opened with it (null once erased).
eventstore::CommandOptions certificateOptions(pg::Connection& c);

class Commands {
public:
    Commands(pg::Connection& c, const Clock& clock, CommitObserver observer = {});

    // The certificate of a completed course, with the student's name (identity's read model) and
    // the course's title as they are now. Inside the caller's open transaction; what it wrote is
    // added to `written`. A refusal (the stream raced) is returned for the caller to roll back.
    std::optional<DomainError> issue(const domain::progress::CourseCompleted& completed, const std::string& courseTitle,
                                     const Metadata& meta, std::vector<eventstore::RecordedEvent>& written);
    Result<CertificateRow> revoke(const std::string& certId, const std::string& reason, const Metadata& meta);
    // A new PDF (a new revision) with the name and title as they are now.
    Result<CertificateRow> reissue(const std::string& certId, const std::string& reason, const Metadata& meta);

    // The certificate as its stream folds (names opened); not found when there is no such stream.
    Result<Certificate::State> load(const std::string& certId);
    // A worker's step (RecordRendered, RecordStored, RecordMailed): true when it was new.
    Result<bool> record(const std::string& certId, const Certificate::Command& step, const Metadata& meta);

private:
    Result<eventstore::CommandResult> run(const std::string& certId, const Certificate::Command& command,
                                          const Metadata& meta);

    pg::Connection& c_;
    const Clock& clock_;
    CommitObserver observer_;
};

// "First Last" as identity's read model has them now; empty for an unknown or erased user.
std::string studentNameOf(pg::Connection& c, const std::string& studentId);

}  // namespace lms::certificates
