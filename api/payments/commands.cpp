#include "api/payments/commands.hpp"

#include <spdlog/spdlog.h>

#include "api/enrollment/commands.hpp"
#include "common/ids.hpp"
#include "projections/catalog/queries.hpp"
#include "projections/enrollment/queries.hpp"
#include "projections/payments/projection.hpp"
#include "projections/runner.hpp"

namespace lms::payments {
namespace {

namespace dp = domain::payments;
using Kind = DomainError::Kind;

DomainError refusal(Kind kind, const char* code, std::string message, const char* field = "") {
    return {kind, code, std::move(message), field, {}};
}

eventstore::CommandOptions inlineReadModel() {
    eventstore::CommandOptions options;
    options.withinTransaction =
        [](pg::Connection& c, const std::vector<eventstore::RecordedEvent>& written) -> std::optional<DomainError> {
        projections::payments::Payments readModel;
        projections::applyInline(c, readModel, written);
        return std::nullopt;
    };
    return options;
}

}  // namespace

Commands::Commands(pg::Connection& c, const Clock& clock, int checkoutTtlS)
    : c_(c), clock_(clock), checkoutTtlS_(checkoutTtlS) {}

Result<PaymentRow> Commands::checkout(const std::string& studentId, const std::string& courseId, Provider& provider,
                                      const Metadata& meta) {
    const auto found = isUuid(courseId) ? projections::catalog::findCourse(c_, courseId) : std::nullopt;
    if (!found || found->course.status != "PUBLISHED")
        return unexpected(refusal(Kind::NotFound, "course_not_found", "no such course", "courseId"));
    const auto& course = found->course;
    if (course.instructorId == studentId)
        return unexpected(refusal(Kind::Forbidden, "own_course", "an instructor does not buy their own course"));
    if (course.price <= 0)
        return unexpected(refusal(Kind::Conflict, "course_free", "a free course is enrolled in, not paid for"));
    if (projections::enrollment::enrolled(c_, studentId, courseId))
        return unexpected(refusal(Kind::Conflict, "already_enrolled", "the student is enrolled in this course"));
    const PaymentId id(newUuid());
    const std::int64_t now = clock_.nowUs();
    const std::int64_t expiresAt = now / 1'000'000 + checkoutTtlS_;
    auto session = provider.checkout({id.value(), courseId, course.title, course.price, course.currency, expiresAt});
    if (!session)
        return unexpected(refusal(Kind::Conflict, "provider_unavailable", "the payment provider: " + session.error()));
    dp::PaymentInitiated e{id,           studentId,    courseId,        course.instructorId, provider.name(),
                           session->ref, course.price, course.currency, session->url,        expiresAt * 1'000'000,
                           now};
    return run(id, dp::InitiatePayment{e}, meta);
}

bool Commands::receive(const WebhookReceived& notice, const Metadata& meta, eventstore::GroupCommit* together) {
    const auto stream = dp::webhookStream(notice.provider, notice.report.providerEventId);
    if (!stream) return false;
    eventstore::EventStore store(c_);
    // The event id is the stream's: a redelivery is the same event, stored once.
    const auto event = eventstore::NewEvent::from(dp::WebhookEvents::encode(notice), meta, newUuid());
    const std::vector<eventstore::NewEvent> events{event};
    const auto done = together != nullptr ? together->startStream(c_, *stream, events)
                                          : store.append(*stream, eventstore::ExpectedVersion::noStream(), events);
    return done.has_value() && !done->alreadyStored;
}

Result<PaymentRow> Commands::simulate(const std::string& paymentId, const std::string& kind, const Metadata& meta,
                                      eventstore::GroupCommit* together) {
    const auto payment = projections::payments::findPayment(c_, paymentId);
    if (!payment || payment->provider != "simulated")
        return unexpected(refusal(Kind::NotFound, "payment_not_found", "no such payment"));
    WebhookReceived n;
    n.provider = "simulated";
    n.eventType = "simulated." + kind;
    n.kind = kind;
    n.paymentId = payment->id;
    n.providerRef = payment->providerRef;
    n.report = {"sim_" + payment->id + "_" + kind, "simpay_" + payment->id, payment->amount, payment->currency};
    n.at = clock_.nowUs();
    receive(n, meta, together);
    return *payment;
}

Result<PaymentRow> Commands::requestRefund(const std::string& paymentId, Provider& provider, const Metadata& meta) {
    const auto payment = projections::payments::findPayment(c_, paymentId);
    if (!payment) return unexpected(refusal(Kind::NotFound, "payment_not_found", "no such payment"));
    if (payment->status == "REFUNDED") return *payment;
    if (payment->status != "COMPLETED" && payment->status != "FLAGGED")
        return unexpected(refusal(Kind::Conflict, "not_refundable", "only a completed payment is refunded"));
    const bool simulated = payment->provider == "simulated";
    if (!simulated && payment->provider != provider.name())
        return unexpected(refusal(Kind::Conflict, "provider_unavailable",
                                  "the payment was made with " + payment->provider + ", which is not enabled now"));
    SimulatedProvider simulator("");
    Provider& by = simulated ? static_cast<Provider&>(simulator) : provider;
    const auto refundRef =
        by.refund({payment->id, payment->providerRef, payment->providerPaymentId, payment->amount, payment->currency});
    if (!refundRef)
        return unexpected(refusal(Kind::Conflict, "provider_unavailable", "the payment provider: " + refundRef.error()));
    auto done = run(PaymentId(payment->id), dp::RequestRefund{*refundRef, clock_.nowUs()}, meta);
    if (!done || !simulated) return done;
    // The simulator refunds at once: its notice, processed as any provider's, revokes the enrollment.
    return simulate(paymentId, "refunded", meta);
}

Result<PaymentRow> Commands::run(const PaymentId& id, const dp::Payment::Command& command, const Metadata& meta) {
    auto done = eventstore::handleCommand<dp::Payment>(c_, dp::paymentStream(id), command, meta, inlineReadModel());
    if (!done) return unexpected(done.error());
    auto row = projections::payments::findPayment(c_, id.value());
    if (!row) return unexpected(refusal(Kind::NotFound, "payment_not_found", "no such payment"));
    return std::move(*row);
}

namespace {

// The payment a notice is about: the one it names (of the same provider), else the one of its
// checkout, else the one of its provider payment id.
std::optional<PaymentRow> paymentOf(pg::Connection& c, const WebhookReceived& n) {
    if (isUuid(n.paymentId)) {
        if (auto p = projections::payments::findPayment(c, n.paymentId); p && p->provider == n.provider) return p;
    }
    if (auto p = projections::payments::paymentByRef(c, n.provider, n.providerRef)) return p;
    return projections::payments::paymentByProviderPayment(c, n.provider, n.report.providerPaymentId);
}

// The enrollment as the payment now says: paid gives access, refunded takes it.
std::optional<DomainError> reconcile(pg::Connection& c, const Clock& clock, const PaymentRow& p, const Metadata& meta) {
    enrollment::Commands enrollments(c, clock);
    if (p.status == "COMPLETED") {
        domain::enrollment::EnrollByPayment command;
        command.studentId = p.studentId;
        command.courseId = p.courseId;
        command.instructorId = p.instructorId;
        command.paymentId = p.id;
        command.amount = p.paidAmount.value_or(p.amount);
        command.currency = p.paidCurrency.value_or(p.currency);
        auto done = enrollments.enrollByPayment(command, meta);
        if (!done) return done.error();
    } else if (p.status == "REFUNDED") {
        auto done = enrollments.revoke(p.studentId, p.courseId, "refunded", p.id, meta);
        // Never enrolled (the refund came before the completion): nothing to revoke.
        if (!done && done.error().code != "not_enrolled") return done.error();
    }
    return std::nullopt;
}

}  // namespace

std::optional<DomainError> applyNotice(pg::Connection& c, const Clock& clock, const std::string& webhookStream,
                                       const WebhookReceived& notice, const Metadata& meta) {
    const auto payment = paymentOf(c, notice);
    if (!payment) {
        // Not yet known (a refund of a payment whose completion has not arrived): parked until
        // a payment gains its provider payment id.
        c.query(
            "INSERT INTO lms_parked_notices (webhook_stream, provider, provider_payment_id, provider_ref) "
            "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            {webhookStream, notice.provider, notice.report.providerPaymentId, notice.providerRef});
        spdlog::warn("payments: notice {} ({}) names no known payment; parked", webhookStream, notice.eventType);
        return std::nullopt;
    }
    auto done = eventstore::handleCommand<dp::Payment>(c, dp::paymentStream(PaymentId(payment->id)),
                                                       dp::RecordNotice{notice.kind, notice.report, clock.nowUs()},
                                                       meta, inlineReadModel());
    if (!done) {
        if (done.error().code == eventstore::kConcurrencyConflict) return done.error();
        spdlog::warn("payments: notice {} refused by payment {}: {}", webhookStream, payment->id, done.error().code);
        return std::nullopt;
    }
    const auto now = projections::payments::findPayment(c, payment->id);
    if (!now) return std::nullopt;
    if (auto refused = reconcile(c, clock, *now, meta)) {
        if (refused->code == eventstore::kConcurrencyConflict) return refused;
        spdlog::warn("payments: payment {} not reconciled with its enrollment: {}", now->id, refused->code);
    }
    // Notices that were waiting for this payment's provider ids.
    const auto parked = c.query(
        "DELETE FROM lms_parked_notices WHERE provider = $1 AND ((provider_payment_id <> '' AND provider_payment_id = $2) "
        "OR (provider_ref <> '' AND provider_ref = $3)) RETURNING webhook_stream",
        {now->provider, now->providerPaymentId, now->providerRef});
    eventstore::EventStore store(c);
    for (int i = 0; i < parked.rows(); ++i) {
        for (const auto& e : store.readStream(parked.str(i, 0))) {
            const domain::DomainEvent stored{e.type, e.schemaVersion, nlohmann::json::parse(e.data, nullptr, false)};
            const auto waiting = stored.data.is_object() ? dp::WebhookEvents::decode(stored) : std::nullopt;
            if (!waiting) continue;
            if (auto refused = applyNotice(c, clock, e.streamId, std::get<WebhookReceived>(*waiting), meta))
                return refused;
        }
    }
    return std::nullopt;
}

}  // namespace lms::payments
