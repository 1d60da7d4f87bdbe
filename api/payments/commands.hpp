#pragma once
// The payments context's use cases, callable without HTTP: a checkout (PaymentInitiated with the
// course's amount and currency at that moment, never the client's), the intake of a verified
// provider notice (stored once, whatever the redeliveries; processed later from the store by
// processor.hpp), the simulator's notices, and an admin's refund request.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/payments/provider.hpp"
#include "common/clock.hpp"
#include "common/expected.hpp"
#include "domain/payments/payment.hpp"
#include "eventstore/command_loop.hpp"
#include "eventstore/group_commit.hpp"
#include "projections/payments/queries.hpp"

namespace lms::payments {

using domain::DomainError;
using domain::Metadata;
using domain::payments::PaymentId;
using domain::payments::WebhookReceived;
using projections::payments::PaymentRow;

template <class T>
using Result = expected<T, DomainError>;

class Commands {
public:
    Commands(pg::Connection& c, const Clock& clock, int checkoutTtlS = 1800);

    // Opens the provider's checkout for a published, paid course the student is not enrolled in.
    Result<PaymentRow> checkout(const std::string& studentId, const std::string& courseId, Provider& provider,
                                const Metadata& meta);
    // Stores a verified notice (its own stream): true when it is new, false for a redelivery.
    // Given a group commit, the notice's commit is shared with other threads' notices.
    bool receive(const WebhookReceived& notice, const Metadata& meta, eventstore::GroupCommit* together = nullptr);
    // The simulator's notice for a simulated payment: completed, expired (cancelled) or refunded.
    Result<PaymentRow> simulate(const std::string& paymentId, const std::string& kind, const Metadata& meta,
                                eventstore::GroupCommit* together = nullptr);
    // An admin's refund: asked of the payment's provider, then recorded (the simulator refunds at
    // once, by its notice; a real provider's notice of the refund comes by webhook).
    Result<PaymentRow> requestRefund(const std::string& paymentId, Provider& provider, const Metadata& meta);

private:
    Result<PaymentRow> run(const PaymentId& id, const domain::payments::Payment::Command& command, const Metadata& meta);

    pg::Connection& c_;
    const Clock& clock_;
    int checkoutTtlS_;
};

// Applies a notice to its payment and the payment to its enrollment, inside the caller's
// transaction (the processor's): what processing one stored notice means. Idempotent.
// Returns a concurrency conflict to retry, another refusal to log, or nothing.
std::optional<DomainError> applyNotice(pg::Connection& c, const Clock& clock, const std::string& webhookStream,
                                       const WebhookReceived& notice, const Metadata& meta);

}  // namespace lms::payments
