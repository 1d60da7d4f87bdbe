#include "workers/mailer/mailer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>
#include <thread>

#include "common/backoff.hpp"
#include "common/ids.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/secrets.hpp"
#include "common/sha256.hpp"
#include "domain/catalog/course.hpp"
#include "domain/certificates/certificate.hpp"
#include "domain/certificates/certificate_id.hpp"
#include "domain/certificates/ids.hpp"
#include "domain/identity/events.hpp"
#include "domain/identity/user.hpp"
#include "domain/payments/payment.hpp"
#include "eventstore/command_loop.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/personal_data.hpp"

namespace lms::mailer {
namespace {

namespace dc = domain::catalog;
namespace dcert = domain::certificates;
namespace di = domain::identity;
namespace dp = domain::payments;

constexpr auto kPoll = std::chrono::milliseconds(200);
// "2026-11-23 10:12 UTC": the reset link's expiry as a reader wants it.
std::string readableTime(std::int64_t us) {
    const std::time_t t = static_cast<std::time_t>(us / 1'000'000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

// Error texts go into an event, a Kafka header and the log: none of them may carry the person's
// address or names in clear (an SMTP server's "550 <ada@example.com> unknown" does).
std::string scrubbed(std::string text, const Mail& mail) {
    auto replaceAll = [&](const std::string& needle, const std::string& by) {
        if (needle.size() < 2) return;
        std::string lower = text;
        std::string lowerNeedle = needle;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        std::transform(lowerNeedle.begin(), lowerNeedle.end(), lowerNeedle.begin(), ::tolower);
        for (auto at = lower.find(lowerNeedle); at != std::string::npos; at = lower.find(lowerNeedle, at + by.size())) {
            text.replace(at, needle.size(), by);
            lower.replace(at, needle.size(), by);
        }
    };
    replaceAll(mail.toAddress, "[recipient]");
    replaceAll(mail.toName, "[name]");
    return text;
}

void count(const std::string& tpl, const char* outcome) {
    metrics::Registry::global().increment("lms_mail_total", "Mail handled by the mailer, by template and outcome",
                                          {{"template", tpl}, {"outcome", outcome}});
}

// The template of the mail an event of this type triggers, or "" for one that triggers none.
std::string templateFor(const std::string& eventType) {
    if (eventType == di::UserRegistered::kType) return "welcome";
    if (eventType == di::UserPasswordResetRequested::kType) return "password-reset";
    if (eventType == dc::CourseApproved::kType) return "course-approved";
    if (eventType == dc::CourseRejected::kType) return "course-rejected";
    if (eventType == dp::PaymentCompleted::kType) return "payment-receipt";
    if (eventType == dp::PaymentRefunded::kType) return "payment-refunded";
    if (eventType == dcert::CertificateStored::kType) return "certificate-ready";
    return "";
}

std::string correlationOf(nlohmann::json& envelope) {
    return envelope["metadata"].is_object() ? envelope["metadata"].value("correlationId", "") : "";
}

// A trigger that cannot be mailed whatever we retry: it goes to the dead-letter topic at once.
class Malformed : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// What a trigger mails: to whom (a user id), and the template's values other than the names.
struct Trigger {
    std::string userId;
    std::map<std::string, std::string> values;
};

// A user registered or asking for a reset link: the mail goes to them. Or the reason nothing is
// mailed.
std::variant<Trigger, std::string> userTrigger(const std::string& tpl, const nlohmann::json& data,
                                               const std::string& publicUrl, const std::string& secret,
                                               std::int64_t nowUs) {
    Trigger t{data.value("userId", ""), {{"publicUrl", publicUrl}}};
    if (t.userId.empty()) throw Malformed("the event has no userId");
    if (tpl == "password-reset") {
        const std::string resetId = data.value("resetId", "");
        if (resetId.empty() || !data.contains("expiresAt") || !data["expiresAt"].is_number_integer())
            throw Malformed("the event has no resetId or expiresAt");
        const std::int64_t expiresAt = data["expiresAt"].get<std::int64_t>();
        if (expiresAt <= nowUs) return std::string("expired");
        // The token the API keeps only the sha256 of: derived again from the server's secret.
        t.values["resetLink"] = publicUrl +
                                "/reset-password?token=" + deriveToken(secret, di::kResetTokenPurpose, resetId);
        t.values["expiresAt"] = readableTime(expiresAt);
    }
    return t;
}

// A course approved or rejected: the mail goes to its instructor, with the course's title as it
// is now (a title changed since is the one they know). Or the reason nothing is mailed.
std::variant<Trigger, std::string> courseTrigger(eventstore::EventStore& store, const std::string& tpl,
                                                 nlohmann::json& envelope, const std::string& publicUrl) {
    const auto course = envelope["streamId"].is_string() ? dc::courseOfStream(envelope["streamId"].get<std::string>())
                                                         : std::nullopt;
    // The id goes into a link: nothing but a UUID is taken.
    if (!course || !isUuid(course->value())) throw Malformed("the event is on no course's stream");
    const auto state = eventstore::fold<dc::Course>(store.readStream(dc::courseStream(*course)));
    if (!state.exists || state.instructorId.empty()) return std::string("unknown_course");
    const std::string link = publicUrl + "/courses/" + course->value();
    Trigger t{state.instructorId, {{"publicUrl", publicUrl}, {"title", state.details.title}, {"courseLink", link}}};
    if (tpl == "course-rejected") {
        const nlohmann::json& data = envelope["data"];
        if (!data.contains("reason") || !data["reason"].is_string()) throw Malformed("the event has no reason");
        t.values["reason"] = data["reason"].get<std::string>();
        t.values["editLink"] = link + "/edit";
    }
    return t;
}

// An amount in minor units as people read it: "49.00 USD" (two decimals; JPY and the like have
// none, and a receipt showing "4900.00 JPY" would be wrong).
std::string readableAmount(std::int64_t minor, const std::string& currency) {
    static const std::set<std::string> kNoDecimals{"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
                                                   "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"};
    if (kNoDecimals.count(currency) != 0) return std::to_string(minor) + " " + currency;
    const std::string cents = std::to_string(minor % 100);
    return std::to_string(minor / 100) + "." + (cents.size() < 2 ? "0" : "") + cents + " " + currency;
}

// A payment completed or refunded: the mail goes to its student, with the course's title as it is
// now. Or the reason nothing is mailed.
std::variant<Trigger, std::string> paymentTrigger(eventstore::EventStore& store, nlohmann::json& envelope,
                                                  const std::string& publicUrl) {
    const auto payment = envelope["streamId"].is_string() ? dp::paymentOfStream(envelope["streamId"].get<std::string>())
                                                          : std::nullopt;
    if (!payment || !isUuid(payment->value())) throw Malformed("the event is on no payment's stream");
    const auto state = eventstore::fold<dp::Payment>(store.readStream(dp::paymentStream(*payment)));
    if (!state.exists || !isUuid(state.initiated.courseId)) return std::string("unknown_payment");
    const auto course =
        eventstore::fold<dc::Course>(store.readStream(dc::courseStream(dc::CourseId(state.initiated.courseId))));
    const nlohmann::json& data = envelope["data"];
    const std::int64_t amount = data.contains("amount") && data["amount"].is_number_integer()
                                    ? data["amount"].get<std::int64_t>()
                                    : state.initiated.amount;
    const std::string currency = data.value("currency", state.initiated.currency);
    return Trigger{state.initiated.studentId,
                   {{"publicUrl", publicUrl},
                    {"title", course.exists ? course.details.title : "your course"},
                    {"courseLink", publicUrl + "/courses/" + state.initiated.courseId},
                    {"amount", readableAmount(amount, currency)},
                    {"paymentId", payment->value()}}};
}

// How long the PDF link in a certificate mail works: S3's longest presigned URL. The verification
// page the mail also links to hands out a fresh one.
constexpr auto kCertificateLinkTtl = std::chrono::hours(24 * 7);

// A certificate's PDF stored: the mail goes to its student, with links to the verification page
// and to the PDF. A revision a reissue has replaced since mails nothing (its own mail follows).
std::variant<Trigger, std::string> certificateTrigger(eventstore::EventStore& store, nlohmann::json& envelope,
                                                      const std::string& publicUrl, storage::ObjectStore& files,
                                                      std::int64_t nowUs) {
    const auto certId = envelope["streamId"].is_string()
                            ? dcert::certificateOfStream(envelope["streamId"].get<std::string>())
                            : std::nullopt;
    if (!certId || dcert::parseCertificateId(*certId) != *certId)
        throw Malformed("the event is on no certificate's stream");
    const auto stored = dcert::CertificateStored::fromJson(envelope["data"]);
    const auto state = eventstore::fold<dcert::Certificate>(store.readStream(dcert::certificateStream(*certId)));
    if (!state.exists || !isUuid(state.issued.studentId)) return std::string("unknown_certificate");
    if (state.revoked) return std::string("revoked");
    if (stored.revision != state.current()) return std::string("superseded");
    const auto* r = state.revision(stored.revision);
    return Trigger{state.issued.studentId,
                   {{"publicUrl", publicUrl},
                    {"title", r->courseTitle},
                    {"certificateId", *certId},
                    {"verifyLink", publicUrl + "/verify/" + *certId},
                    {"pdfLink", files.link(stored.objectKey, nowUs, kCertificateLinkTtl)}}};
}

}  // namespace

std::vector<std::string> sourceTopics(const std::string& prefix) {
    return {prefix + ".identity", prefix + ".catalog", prefix + ".payments", prefix + ".certificates"};
}
std::string deadLetterTopic(const std::string& prefix) { return prefix + ".mail.dlq"; }

Mailer::Mailer(const Config& config, std::string brokers, const Clock& clock)
    : config_(config),
      brokers_(std::move(brokers)),
      clock_(clock),
      secret_(serverSecret(config)),
      transport_(makeTransport(config)),
      files_(storage::makeObjectStore(config, secret_, clock)),
      producer_(std::make_unique<kafka::Producer>(brokers_)) {}

Mailer::~Mailer() = default;

pg::Connection& Mailer::db() {
    if (!db_ || !db_->ok()) db_ = std::make_unique<pg::Connection>(config_.databaseUrl);
    return *db_;
}

void Mailer::run(const std::atomic<bool>& stop) {
    db();
    // A member that does not poll for max.poll.interval.ms leaves the group: allow for every
    // attempt of one message (its backoff plus the SMTP timeouts) and some.
    std::int64_t busyMs = 120'000;
    for (int a = 1; a <= config_.mailMaxAttempts; ++a) busyMs += backoffMs(config_.mailRetryBaseMs, a) + 45'000;
    // A 10 s session (Kafka's default before 3.0, not 45 s): a crashed mailer's partitions move to
    // another member sooner, and the mock cluster, which keeps a group that every member left
    // waiting for a session timeout before the next join, lets a restarted mailer in sooner.
    const auto topics = sourceTopics(config_.topicPrefix);
    kafka::Consumer consumer(
        brokers_, kConsumerGroup, topics,
        {{"session.timeout.ms", "10000"},
         {"heartbeat.interval.ms", "3000"},
         {"max.poll.interval.ms", std::to_string(std::clamp<std::int64_t>(busyMs, 300'000, 86'400'000))}});
    std::string names;
    for (const auto& t : topics) names += (names.empty() ? "" : ", ") + t;
    spdlog::info("mailer: consuming {} as {}; mail goes to {}", names, kConsumerGroup, transport_->describe());
    kafka::IncomingMessage m;
    while (!stop.load()) {
        if (!consumer.poll(m, kPoll)) continue;
        const Outcome outcome = handle(m, stop);
        if (outcome == Outcome::Interrupted) return;  // not committed: delivered again after a restart
        if (outcome == Outcome::Ignored) {
            consumer.commit(m, true);  // nothing was done: losing this commit costs one more look
            continue;
        }
        try {
            consumer.commit(m);
        } catch (const kafka::Error& e) {
            // The outcome is recorded: a redelivery finds mail-<id> and skips it.
            spdlog::warn("mailer: {}", e.what());
        }
    }
}

Outcome Mailer::handle(const kafka::IncomingMessage& m, const std::atomic<bool>& stop) {
    outcomeVersion_ = 0;
    nlohmann::json envelope = nlohmann::json::parse(m.value, nullptr, false);
    const std::string type = envelope.is_object() && envelope["type"].is_string() ? envelope["type"].get<std::string>()
                                                                                  : "";
    if (type == di::UserErased::kType) return forgetErased(m, envelope);
    const std::string tpl = templateFor(type);
    if (tpl.empty() && !envelope.is_discarded() && envelope.is_object()) return Outcome::Ignored;

    const std::string eventId =
        envelope.is_object() && envelope["eventId"].is_string() ? envelope["eventId"].get<std::string>() : "";
    if (tpl.empty() || !isUuid(eventId) || !envelope["data"].is_object()) {
        // Without an event id there is no stream to record in: the dead-letter topic is the record.
        spdlog::error("mailer: {}[{}]@{} is not an event envelope; dead-lettered", m.topic, m.partition, m.offset);
        deadLetter(m, "not an event envelope", 0);
        count(tpl.empty() ? "unknown" : tpl, "failed");
        return Outcome::DeadLettered;
    }
    const nlohmann::json& data = envelope["data"];
    const std::string correlationId = correlationOf(envelope);
    log::CorrelationScope scope(correlationId);

    eventstore::EventStore store(db());
    const bool aboutCertificate = type == dcert::CertificateStored::kType;
    // Handled, unless `lms dlq retry` asked for another attempt (the outcome's last event).
    const auto outcomes = store.readStream(mailStream(eventId));
    outcomeVersion_ = outcomes.empty() ? 0 : outcomes.back().version;
    if (!outcomes.empty() && outcomes.back().type != kRetryRequested) {
        spdlog::debug("mailer: {} of event {} already handled", tpl, eventId);
        // A crash between the mail's record and the certificate's: recorded now.
        if (aboutCertificate) certificateMailed(envelope, correlationId, stop);
        return Outcome::AlreadyHandled;
    }
    auto skip = [&](const std::string& reason) {
        spdlog::info("mailer: {} mail for event {} skipped: {}", tpl, eventId, reason);
        record(eventId, "MailSkipped",
               {{"triggerEventId", eventId}, {"template", tpl}, {"reason", reason}, {"at", clock_.nowUs()}},
               correlationId, stop);
        count(tpl, "skipped");
        return Outcome::Skipped;
    };

    try {
        const bool aboutCourse = type == dc::CourseApproved::kType || type == dc::CourseRejected::kType;
        const bool aboutPayment = type == dp::PaymentCompleted::kType || type == dp::PaymentRefunded::kType;
        auto trigger = aboutCourse    ? courseTrigger(store, tpl, envelope, config_.publicUrl)
                       : aboutPayment ? paymentTrigger(store, envelope, config_.publicUrl)
                       : aboutCertificate
                           ? certificateTrigger(store, envelope, config_.publicUrl, *files_, clock_.nowUs())
                           : userTrigger(tpl, data, config_.publicUrl, secret_, clock_.nowUs());
        if (const auto* reason = std::get_if<std::string>(&trigger)) return skip(*reason);
        auto& [userId, values] = std::get<Trigger>(trigger);
        auto who = recipientOf(userId);
        if (const auto* reason = std::get_if<std::string>(&who)) return skip(*reason);
        const auto& r = std::get<Recipient>(who);
        if (!isSafeAddress(r.email)) return skip("invalid_address");
        values["firstName"] = r.firstName.empty() ? "there" : r.firstName;
        values["lastName"] = r.lastName;
        Mail mail{eventId, tpl, r.email, r.firstName + (r.lastName.empty() ? "" : " " + r.lastName),
                  renderMail(tpl, values)};
        while (!mail.toName.empty() && mail.toName.front() == ' ') mail.toName.erase(0, 1);
        const auto outcome = deliver(m, mail, correlationId, stop);
        if (outcome == Outcome::Sent && aboutCertificate) certificateMailed(envelope, correlationId, stop);
        return outcome;
    } catch (const Malformed& e) {
        spdlog::error("mailer: {} mail for event {}: {}; dead-lettered", tpl, eventId, e.what());
        deadLetter(m, e.what(), 0);
        record(
            eventId, "MailFailed",
            {{"triggerEventId", eventId}, {"template", tpl}, {"attempts", 0}, {"error", e.what()}, {"at", clock_.nowUs()}},
            correlationId, stop);
        count(tpl, "failed");
        return Outcome::DeadLettered;
    }
}

Outcome Mailer::forgetErased(const kafka::IncomingMessage& m, nlohmann::json& envelope) {
    const auto user = envelope["streamId"].is_string() ? di::userOfStream(envelope["streamId"].get<std::string>())
                                                       : std::nullopt;
    if (!user || !isUuid(user->value())) {
        spdlog::error("mailer: {}[{}]@{} is an erasure of no user's stream; dead-lettered", m.topic, m.partition,
                      m.offset);
        deadLetter(m, "an erasure of no user's stream", 0);
        return Outcome::DeadLettered;
    }
    log::CorrelationScope scope(correlationOf(envelope));
    // The person's own mails were triggered by events of their stream, and the events of one
    // stream share a partition (the relay keys them by stream) in the stream's order: each of
    // those mails written before the erasure is already there to remove, and a trigger read after
    // it finds the person erased and is skipped.
    eventstore::EventStore store(db());
    std::vector<std::string> triggers;
    auto collect = [&](const std::string& stream) {
        for (const auto& e : store.readStream(stream)) {
            if (!templateFor(e.type).empty() && isUuid(e.eventId)) triggers.push_back(e.eventId);
        }
    };
    collect(di::userStream(*user));
    // The mails about the courses they teach were triggered on the courses' streams, on another
    // topic: this mailer handles one message at a time, so each such mail is either written
    // already or will find the instructor erased (workers/README.md says what several mailers
    // leave open). No read model serves workers, and erasures are rare: the store is searched.
    const auto courses =
        db().query("SELECT DISTINCT stream_id FROM lms_events WHERE event_type = $1 AND data->>'instructorId' = $2",
                   {std::string(dc::CourseCreated::kType), user->value()});
    for (int row = 0; row < courses.rows(); ++row) {
        if (dc::courseOfStream(courses.str(row, 0))) collect(courses.str(row, 0));
    }
    // Their receipts and refund notices, triggered on their payments' streams.
    const auto payments =
        db().query("SELECT DISTINCT stream_id FROM lms_events WHERE event_type = $1 AND data->>'studentId' = $2",
                   {std::string(dp::PaymentInitiated::kType), user->value()});
    for (int row = 0; row < payments.rows(); ++row) {
        if (dp::paymentOfStream(payments.str(row, 0))) collect(payments.str(row, 0));
    }
    // Their certificates' mails, triggered on the certificates' streams.
    const auto certificates =
        db().query("SELECT DISTINCT stream_id FROM lms_events WHERE event_type = $1 AND data->>'studentId' = $2",
                   {std::string(dcert::CertificateIssued::kType), user->value()});
    for (int row = 0; row < certificates.rows(); ++row) {
        if (dcert::certificateOfStream(certificates.str(row, 0))) collect(certificates.str(row, 0));
    }
    const std::size_t removed = transport_->forget(triggers);
    spdlog::info("mailer: removed {} outbox message(s) of erased user {}", removed, user->value());
    return Outcome::Forgotten;
}

std::variant<Mailer::Recipient, std::string> Mailer::recipientOf(const std::string& userId) {
    const std::string stream = di::userStream(di::UserId(userId));
    eventstore::PersonalData personal(db());
    eventstore::CommandOptions opening;
    opening.decode = [&](const std::string& s, domain::DomainEvent e) {
        return personal.openFields(s, std::move(e), di::kPersonalFields);
    };
    // The user as the identity decider folds them, their personal fields opened with their key.
    const auto user = eventstore::fold<di::User>(eventstore::EventStore(db()).readStream(stream), opening);
    if (!user.exists) return std::string("unknown_user");
    // An erased user, or one whose key is gone (erased, whatever the stream says yet).
    if (user.status == di::Status::Deleted || user.email.empty()) return std::string("erased");
    return Recipient{user.email, user.firstName, user.lastName};
}

Outcome Mailer::deliver(const kafka::IncomingMessage& m, const Mail& mail, const std::string& correlationId,
                        const std::atomic<bool>& stop) {
    const Outgoing out{mail.triggerEventId, config_.mailFrom, mail.toAddress,
                       formatMessage(mail, config_.mailFrom, clock_.nowUs())};
    std::string error;
    int attempt = 1;
    for (;; ++attempt) {
        try {
            transport_->deliver(out);
            spdlog::info("mailer: {} mail for event {} sent (attempt {})", mail.templateName, mail.triggerEventId,
                         attempt);
            record(mail.triggerEventId, "MailSent",
                   {{"triggerEventId", mail.triggerEventId},
                    {"template", mail.templateName},
                    {"messageId", messageIdFor(mail.triggerEventId)},
                    {"at", clock_.nowUs()}},
                   correlationId, stop);
            count(mail.templateName, "sent");
            return Outcome::Sent;
        } catch (const DeliveryError& e) {
            error = scrubbed(e.what(), mail);
            spdlog::warn("mailer: {} mail for event {} not delivered (attempt {} of {}): {}", mail.templateName,
                         mail.triggerEventId, attempt, config_.mailMaxAttempts, error);
            if (e.permanent() || attempt >= config_.mailMaxAttempts) break;
            if (!pauseUnlessStopped(backoffMs(config_.mailRetryBaseMs, attempt), stop)) return Outcome::Interrupted;
        }
    }
    deadLetter(m, error, attempt);
    record(mail.triggerEventId, "MailFailed",
           {{"triggerEventId", mail.triggerEventId},
            {"template", mail.templateName},
            {"attempts", attempt},
            {"error", error},
            {"at", clock_.nowUs()}},
           correlationId, stop);
    spdlog::error("mailer: {} mail for event {} dead-lettered to {} after {} attempt(s)", mail.templateName,
                  mail.triggerEventId, deadLetterTopic(config_.topicPrefix), attempt);
    count(mail.templateName, "failed");
    return Outcome::DeadLettered;
}

void Mailer::certificateMailed(nlohmann::json& envelope, const std::string& correlationId,
                               const std::atomic<bool>& stop) {
    const auto certId = dcert::certificateOfStream(envelope["streamId"].get<std::string>());
    const auto revision = dcert::CertificateStored::fromJson(envelope["data"]).revision;
    const domain::Metadata meta{"lms-mailer", correlationId, envelope.value("eventId", "")};
    for (int attempt = 1;; ++attempt) {
        try {
            auto done = eventstore::handleCommand<dcert::Certificate>(
                db(), dcert::certificateStream(*certId), dcert::RecordMailed{revision, clock_.nowUs()}, meta);
            if (!done) spdlog::warn("mailer: CertificateMailed for {}: {}", *certId, done.error().message);
            return;
        } catch (const pg::Error& e) {
            db_.reset();
            spdlog::warn("mailer: cannot record CertificateMailed for {} ({}); retrying", *certId, e.what());
            if (!pauseUnlessStopped(backoffMs(config_.mailRetryBaseMs, attempt), stop)) throw;
        }
    }
}

void Mailer::deadLetter(const kafka::IncomingMessage& m, const std::string& error, int attempts) {
    kafka::OutgoingMessage out{deadLetterTopic(config_.topicPrefix), m.key, m.value, {}};
    for (const auto& h : m.headers) out.headers.push_back(h);
    out.headers.emplace_back("lms.dlq.error", error);
    out.headers.emplace_back("lms.dlq.attempts", std::to_string(attempts));
    out.headers.emplace_back("lms.dlq.source",
                             m.topic + "/" + std::to_string(m.partition) + "/" + std::to_string(m.offset));
    out.headers.emplace_back("lms.dlq.consumer", kConsumerGroup);
    // Not acknowledged: throw, so that the message is not committed and comes back.
    if (producer_->sendAll({out}, std::chrono::seconds(30)) != 0) {
        throw kafka::Error("the dead-letter topic " + out.topic + " did not acknowledge");
    }
}

void Mailer::record(const std::string& triggerEventId, const std::string& type, const nlohmann::json& data,
                    const std::string& correlationId, const std::atomic<bool>& stop) {
    const domain::Metadata meta{"lms-mailer", correlationId, triggerEventId};
    const eventstore::NewEvent event{newUuid(), type, 1, data.dump(), meta.toJson().dump()};
    for (int attempt = 1;; ++attempt) {
        try {
            auto appended = eventstore::EventStore(db()).append(
                mailStream(triggerEventId),
                outcomeVersion_ == 0 ? eventstore::ExpectedVersion::noStream()
                                     : eventstore::ExpectedVersion::exact(domain::StreamVersion(outcomeVersion_)),
                {event});
            if (!appended) {
                // Another mailer (a rebalance, a redelivery) recorded this trigger first.
                spdlog::info("mailer: mail-{} was already recorded", triggerEventId);
            }
            return;
        } catch (const pg::Error& e) {
            db_.reset();
            spdlog::warn("mailer: cannot record {} for event {} ({}); retrying", type, triggerEventId, e.what());
            if (!pauseUnlessStopped(backoffMs(config_.mailRetryBaseMs, attempt), stop)) throw;
        }
    }
}

}  // namespace lms::mailer
