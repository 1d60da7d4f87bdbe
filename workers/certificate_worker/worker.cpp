#include "workers/certificate_worker/worker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <functional>
#include <thread>

#include "common/backoff.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/secrets.hpp"
#include "common/sha256.hpp"
#include "domain/certificates/ids.hpp"
#include "domain/identity/events.hpp"
#include "domain/identity/ids.hpp"
#include "eventstore/command_loop.hpp"
#include "eventstore/personal_data.hpp"

namespace lms::certificates {
namespace {

namespace dc = domain::certificates;
namespace di = domain::identity;
using Outcome = CertificateWorker::Outcome;

constexpr auto kPoll = std::chrono::milliseconds(200);
void count(const char* outcome) {
    metrics::Registry::global().increment("lms_certificate_steps_total",
                                          "Certificate messages handled by the certificate worker, by outcome",
                                          {{"outcome", outcome}});
}

// What no retry mends (a certificate that cannot be rendered as it is, a digest that changed).
class Permanent : public std::logic_error {
public:
    using std::logic_error::logic_error;
};

}  // namespace

std::string sourceTopic(const std::string& prefix) { return prefix + ".certificates"; }
std::string deadLetterTopic(const std::string& prefix) { return prefix + ".certificates.dlq"; }
std::string identityTopic(const std::string& prefix) { return prefix + ".identity"; }

std::string issuedOn(std::int64_t atUs) {
    static constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                              "July",    "August",   "September", "October", "November", "December"};
    const std::time_t t = static_cast<std::time_t>(atUs / 1'000'000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return std::to_string(tm.tm_mday) + " " + kMonths[tm.tm_mon] + " " + std::to_string(tm.tm_year + 1900);
}

std::string objectKeyOf(const std::string& certId, std::int64_t revision, const std::string& sha256) {
    return "certificates/" + certId + "/" + std::to_string(revision) + "-" + sha256.substr(0, 16) + ".pdf";
}

CertificateWorker::CertificateWorker(const Config& config, std::string brokers, const Clock& clock)
    : config_(config),
      brokers_(std::move(brokers)),
      clock_(clock),
      store_(storage::makeObjectStore(config, serverSecret(config), clock)),
      producer_(std::make_unique<kafka::Producer>(brokers_)) {}

CertificateWorker::~CertificateWorker() = default;

pg::Connection& CertificateWorker::db() {
    if (!db_ || !db_->ok()) db_ = std::make_unique<pg::Connection>(config_.databaseUrl);
    return *db_;
}

void CertificateWorker::run(const std::atomic<bool>& stop) {
    db();
    std::int64_t busyMs = 120'000;
    for (int a = 1; a <= config_.certificateMaxAttempts; ++a)
        busyMs += backoffMs(config_.certificateRetryBaseMs, a) + 60'000;
    kafka::Consumer consumer(
        brokers_, kWorkerGroup, {sourceTopic(config_.topicPrefix), identityTopic(config_.topicPrefix)},
        {{"session.timeout.ms", "10000"},
         {"heartbeat.interval.ms", "3000"},
         {"max.poll.interval.ms", std::to_string(std::clamp<std::int64_t>(busyMs, 300'000, 86'400'000))}});
    spdlog::info("certificates: consuming {} and {} as {}; PDFs go to {}", sourceTopic(config_.topicPrefix),
                 identityTopic(config_.topicPrefix), kWorkerGroup, store_->describe());
    kafka::IncomingMessage m;
    while (!stop.load()) {
        if (!consumer.poll(m, kPoll)) continue;
        const Outcome outcome = handle(m, stop);
        if (outcome == Outcome::Interrupted) return;  // not committed: delivered again after a restart
        try {
            consumer.commit(m, outcome == Outcome::Ignored);
        } catch (const kafka::Error& e) {
            spdlog::warn("certificates: {}", e.what());  // the steps are recorded: a redelivery finds them done
        }
    }
}

CertificateWorker::Outcome CertificateWorker::handle(const kafka::IncomingMessage& m, const std::atomic<bool>& stop) {
    const auto envelope = nlohmann::json::parse(m.value, nullptr, false);
    const std::string type = envelope.is_object() && envelope["type"].is_string() ? envelope["type"].get<std::string>()
                                                                                  : "";
    // (Only an object is indexed: a message that is not one is dead-lettered below.)
    const std::string correlationId =
        envelope.is_object() && envelope["metadata"].is_object() ? envelope["metadata"].value("correlationId", "") : "";
    // A student erased: the PDFs that carry their name are deleted.
    if (type == di::UserErased::kType) {
        const auto user = envelope["streamId"].is_string() ? di::userOfStream(envelope["streamId"].get<std::string>())
                                                           : std::nullopt;
        if (!user || !isUuid(user->value())) return Outcome::Ignored;
        return withRetries(m, "the PDFs of erased user " + user->value(), correlationId, stop,
                           [&] { return forget(user->value(), correlationId); });
    }
    if (m.topic == identityTopic(config_.topicPrefix)) return Outcome::Ignored;
    // What leaves a revision to be rendered and stored: its issue and its reissue. (Not the
    // worker's own CertificateRendered: a trigger is committed only once it is handled, so a worker
    // stopped between the two steps meets the trigger again; and a trigger that failed would be
    // dead-lettered twice.)
    if (type != dc::CertificateIssued::kType && type != dc::CertificateReissued::kType) {
        if (envelope.is_object()) return Outcome::Ignored;
        spdlog::error("certificates: {}[{}]@{} is not an event envelope; dead-lettered", m.topic, m.partition, m.offset);
        deadLetter(m, "not an event envelope", 0);
        return Outcome::DeadLettered;
    }
    const auto certId = envelope["streamId"].is_string()
                            ? dc::certificateOfStream(envelope["streamId"].get<std::string>())
                            : std::nullopt;
    if (!certId) {
        deadLetter(m, "the event is on no certificate's stream", 0);
        return Outcome::DeadLettered;
    }
    return withRetries(m, *certId, correlationId, stop, [&] { return advance(*certId, correlationId); });
}

CertificateWorker::Outcome CertificateWorker::withRetries(const kafka::IncomingMessage& m, const std::string& what,
                                                          const std::string& correlationId,
                                                          const std::atomic<bool>& stop,
                                                          const std::function<Outcome()>& work) {
    log::CorrelationScope scope(correlationId);
    std::string error;
    int attempt = 1;
    for (;; ++attempt) {
        try {
            const auto outcome = work();
            count(outcome == Outcome::Stored    ? "stored"
                  : outcome == Outcome::Skipped ? "skipped"
                  : outcome == Outcome::Erased  ? "erased"
                                                : "up_to_date");
            return outcome;
        } catch (const Permanent& e) {
            error = e.what();
            break;
        } catch (const std::exception& e) {
            error = e.what();
            db_.reset();  // a lost connection is made again for the next attempt
            spdlog::warn("certificates: {} not brought up to date (attempt {} of {}): {}", what, attempt,
                         config_.certificateMaxAttempts, error);
            if (attempt >= config_.certificateMaxAttempts) break;
            if (!pauseUnlessStopped(backoffMs(config_.certificateRetryBaseMs, attempt), stop))
                return Outcome::Interrupted;
        }
    }
    spdlog::error("certificates: {} dead-lettered to {} after {} attempt(s): {}", what,
                  deadLetterTopic(config_.topicPrefix), attempt, error);
    deadLetter(m, error, attempt);
    count("failed");
    return Outcome::DeadLettered;
}

dc::Certificate::State CertificateWorker::load(const std::string& certId) {
    eventstore::CommandOptions opening;
    opening.decode = [this](const std::string&, domain::DomainEvent e) {
        const auto subject = dc::personalSubjectOf(e.data);
        if (subject.empty()) return e;
        auto opened = eventstore::PersonalData(db()).openFields(subject, std::move(e), dc::kPersonalFields);
        if (auto it = opened.data.find("studentName"); it != opened.data.end() && it->is_null()) *it = "";
        return opened;
    };
    return eventstore::fold<dc::Certificate>(eventstore::EventStore(db()).readStream(dc::certificateStream(certId)),
                                             opening);
}

CertificateWorker::Outcome CertificateWorker::advance(const std::string& certId, const std::string& correlationId) {
    const auto state = load(certId);
    if (!state.exists) throw Permanent("no certificate " + certId + " in the store");
    const auto revision = state.current();
    const auto* r = state.revision(revision);
    if (state.revoked || !r->objectKey.empty()) return Outcome::UpToDate;
    if (r->studentName.empty()) {
        // The student was erased: nothing to render a certificate for any more.
        spdlog::info("certificates: {} not rendered: the student's name is gone", certId);
        return Outcome::Skipped;
    }
    CertificateArt art{r->studentName,
                       r->courseTitle,
                       issuedOn(r->at),
                       certId,
                       config_.publicUrl + "/verify/" + certId,
                       std::chrono::sys_seconds(std::chrono::seconds(r->at / 1'000'000))};
    const auto pdf = renderer_.render(art);
    if (!pdf) throw Permanent("certificate " + certId + " cannot be rendered: " + pdf.error().message());
    const std::string sha = sha256Hex(*pdf);
    const domain::Metadata meta{std::string(kWorkerGroup), correlationId, ""};
    const auto step = [&](const dc::Certificate::Command& command) {
        auto done = eventstore::handleCommand<dc::Certificate>(db(), dc::certificateStream(certId), command, meta);
        if (!done) throw std::runtime_error(certId + ": " + done.error().code + ": " + done.error().message);
    };
    if (r->sha256 != sha) {
        // Not rendered yet, or rendered before with other bytes (another renderer or fonts since,
        // and stopped before storing): nothing was published under the old digest, the new one stands.
        if (!r->sha256.empty())
            spdlog::warn("certificates: {} revision {} renders to {} now, not to the recorded {}; recorded again",
                         certId, revision, sha, r->sha256);
        step(dc::RecordRendered{revision, sha, static_cast<std::int64_t>(pdf->size()), clock_.nowUs()});
    }
    const auto key = objectKeyOf(certId, revision, sha);
    store_->put(key, *pdf, "application/pdf");
    step(dc::RecordStored{revision, sha, key, clock_.nowUs()});
    // Erased while it was rendered: the erasure's sweep may have looked before this PDF was
    // recorded, so it is deleted here (the erasure committed before the name stopped opening).
    if (const auto now = load(certId);
        now.revision(revision) != nullptr && now.revision(revision)->studentName.empty()) {
        spdlog::info("certificates: {} revision {}: the student was erased meanwhile; its PDF is deleted", certId,
                     revision);
        store_->remove(key);
        step(dc::RecordFilesErased{{key}, clock_.nowUs()});
        return Outcome::Erased;
    }
    spdlog::info("certificates: {} revision {} rendered ({} bytes, sha256 {}) and stored as {}", certId, revision,
                 pdf->size(), sha, key);
    return Outcome::Stored;
}

CertificateWorker::Outcome CertificateWorker::forget(const std::string& userId, const std::string& correlationId) {
    // Their certificates, from the store itself (the read model may not have caught up).
    const auto streams =
        db().query("SELECT DISTINCT stream_id FROM lms_events WHERE event_type = $1 AND data->>'studentId' = $2",
                   {std::string(dc::CertificateIssued::kType), userId});
    const domain::Metadata meta{std::string(kWorkerGroup), correlationId, ""};
    std::size_t removed = 0;
    for (int row = 0; row < streams.rows(); ++row) {
        const auto certId = dc::certificateOfStream(streams.str(row, 0));
        if (!certId) continue;
        const auto keys = load(*certId).storedKeys();
        if (keys.empty()) continue;
        for (const auto& key : keys) store_->remove(key);  // deleting twice (a retry) deletes nothing
        auto done = eventstore::handleCommand<dc::Certificate>(db(), dc::certificateStream(*certId),
                                                               dc::RecordFilesErased{keys, clock_.nowUs()}, meta);
        if (!done) throw std::runtime_error(*certId + ": " + done.error().code + ": " + done.error().message);
        removed += keys.size();
    }
    spdlog::info("certificates: deleted {} PDF(s) of erased user {}", removed, userId);
    return Outcome::Erased;
}

void CertificateWorker::deadLetter(const kafka::IncomingMessage& m, const std::string& error, int attempts) {
    kafka::OutgoingMessage out{deadLetterTopic(config_.topicPrefix), m.key, m.value, {}};
    for (const auto& h : m.headers) out.headers.push_back(h);
    out.headers.emplace_back("lms.dlq.error", error);
    out.headers.emplace_back("lms.dlq.attempts", std::to_string(attempts));
    out.headers.emplace_back("lms.dlq.source",
                             m.topic + "/" + std::to_string(m.partition) + "/" + std::to_string(m.offset));
    out.headers.emplace_back("lms.dlq.consumer", kWorkerGroup);
    if (producer_->sendAll({out}, std::chrono::seconds(30)) != 0)
        throw kafka::Error("the dead-letter topic " + out.topic + " did not acknowledge");
}

}  // namespace lms::certificates
