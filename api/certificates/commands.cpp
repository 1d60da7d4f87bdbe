#include "api/certificates/commands.hpp"

#include <array>

#include "common/secure.hpp"
#include "domain/certificates/certificate_id.hpp"
#include "domain/certificates/ids.hpp"
#include "domain/identity/ids.hpp"
#include "eventstore/personal_data.hpp"
#include "projections/catalog/queries.hpp"
#include "projections/certificates/projection.hpp"
#include "projections/identity/queries.hpp"
#include "projections/runner.hpp"

namespace lms::certificates {
namespace {

namespace dc = domain::certificates;
using Kind = DomainError::Kind;

}  // namespace

std::string newCertificateId() {
    const auto bytes = randomBytes(dc::kIdRandomBytes);
    std::array<std::uint8_t, dc::kIdRandomBytes> random{};
    for (std::size_t i = 0; i < random.size(); ++i) random[i] = static_cast<std::uint8_t>(bytes[i]);
    return dc::certificateIdFrom(random);
}

std::string studentNameOf(pg::Connection& c, const std::string& studentId) {
    const auto user = projections::identity::findUser(c, domain::identity::UserId(studentId));
    if (!user) return "";
    std::string name = user->firstName.value_or("");
    const std::string last = user->lastName.value_or("");
    if (!last.empty()) name += (name.empty() ? "" : " ") + last;
    return name;
}

eventstore::CommandOptions certificateOptions(pg::Connection& c) {
    eventstore::CommandOptions o;
    o.encode = [&c](const std::string&, domain::DomainEvent e) {
        const auto subject = dc::personalSubjectOf(e.data);
        if (subject.empty()) return e;
        return eventstore::PersonalData(c).sealFields(subject, std::move(e), dc::kPersonalFields);
    };
    o.decode = [&c](const std::string&, domain::DomainEvent e) {
        const auto subject = dc::personalSubjectOf(e.data);
        if (subject.empty()) return e;
        auto opened = eventstore::PersonalData(c).openFields(subject, std::move(e), dc::kPersonalFields);
        // Erased: the decider folds an empty name (the read model shows null).
        if (auto it = opened.data.find("studentName"); it != opened.data.end() && it->is_null()) *it = "";
        return opened;
    };
    o.withinTransaction = [](pg::Connection& conn,
                             const std::vector<eventstore::RecordedEvent>& written) -> std::optional<DomainError> {
        projections::certificates::CertificatesProjection readModel;
        projections::applyInline(conn, readModel, written);
        return std::nullopt;
    };
    return o;
}

Commands::Commands(pg::Connection& c, const Clock& clock, CommitObserver observer)
    : c_(c), clock_(clock), observer_(std::move(observer)) {}

std::optional<DomainError> Commands::issue(const domain::progress::CourseCompleted& completed,
                                           const std::string& courseTitle, const Metadata& meta,
                                           std::vector<eventstore::RecordedEvent>& written) {
    dc::CertificateIssued issued{completed.certificateId,
                                 completed.enrollmentId,
                                 completed.studentId,
                                 completed.courseId,
                                 courseTitle,
                                 studentNameOf(c_, completed.studentId),
                                 completed.at};
    auto done = eventstore::handleCommand<Certificate>(c_, dc::certificateStream(completed.certificateId),
                                                       dc::IssueCertificate{issued}, meta, certificateOptions(c_));
    if (!done) return done.error();
    written.insert(written.end(), done->events.begin(), done->events.end());
    return std::nullopt;
}

Result<eventstore::CommandResult> Commands::run(const std::string& certId, const Certificate::Command& command,
                                                const Metadata& meta) {
    auto done = eventstore::handleCommand<Certificate>(c_, dc::certificateStream(certId), command, meta,
                                                       certificateOptions(c_));
    if (done && !done->events.empty() && observer_) observer_(done->events);
    return done;
}

Result<CertificateRow> Commands::revoke(const std::string& certId, const std::string& reason, const Metadata& meta) {
    auto done = run(certId, dc::RevokeCertificate{reason, clock_.nowUs()}, meta);
    if (!done) return unexpected(done.error());
    auto row = projections::certificates::findCertificate(c_, certId);
    if (!row) return unexpected(DomainError{Kind::NotFound, "certificate_not_found", "no such certificate", "", {}});
    return *row;
}

Result<CertificateRow> Commands::reissue(const std::string& certId, const std::string& reason, const Metadata& meta) {
    const auto state = load(certId);
    if (!state) return unexpected(state.error());
    // The title as the catalog has it now (the one at issue when the course is gone).
    std::string title = state->issued.courseTitle;
    if (const auto course = projections::catalog::findCourse(c_, state->issued.courseId)) title = course->course.title;
    auto done = run(certId,
                    dc::ReissueCertificate{title, studentNameOf(c_, state->issued.studentId), reason, clock_.nowUs()},
                    meta);
    if (!done) return unexpected(done.error());
    auto row = projections::certificates::findCertificate(c_, certId);
    if (!row) return unexpected(DomainError{Kind::NotFound, "certificate_not_found", "no such certificate", "", {}});
    return *row;
}

Result<Certificate::State> Commands::load(const std::string& certId) {
    const auto events = eventstore::EventStore(c_).readStream(dc::certificateStream(certId));
    auto state = eventstore::fold<Certificate>(events, certificateOptions(c_));
    if (!state.exists)
        return unexpected(DomainError{Kind::NotFound, "certificate_not_found", "no such certificate", "", {}});
    return state;
}

Result<bool> Commands::record(const std::string& certId, const Certificate::Command& step, const Metadata& meta) {
    auto done = run(certId, step, meta);
    if (!done) return unexpected(done.error());
    return !done->events.empty();
}

}  // namespace lms::certificates
