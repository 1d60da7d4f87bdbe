#pragma once
// A payment from checkout to its end: the Payment aggregate (stream payment-<id>). Provider
// notices move it; each is applied at most once (by its provider event id), and they may arrive
// in any order: a refund before the completion ends refunded, a late `expired` after the
// completion changes nothing, a completion of another amount or currency is flagged.
#include <cstdint>
#include <set>
#include <string>
#include <variant>

#include "domain/core/decider.hpp"
#include "domain/payments/events.hpp"

namespace lms::domain::payments {

struct InitiatePayment {
    PaymentInitiated initiated;  // every field, from the course and the provider's checkout
};
// What a verified provider notice says of this payment.
struct RecordNotice {
    std::string kind;  // completed, refunded, expired, failed
    ProviderReport report;
    std::int64_t at = 0;
};
struct RequestRefund {
    std::string refundRef;
    std::int64_t at = 0;
};

struct Payment : EventSourced<Payment, PaymentEvents> {
    using Command = std::variant<InitiatePayment, RecordNotice, RequestRefund>;
    struct State {
        bool exists = false;
        PaymentInitiated initiated;
        PaymentStatus status = PaymentStatus::Pending;
        bool refundRequested = false;
        bool completed = false;  // the provider said it was paid (even if a refund came first)
        std::string providerPaymentId;
        std::set<std::string> notices;  // provider event ids applied
    };
    static State initial() { return {}; }
    using EventSourced::evolve;
    static State evolve(State s, const PaymentEvents::Event& e);
    static Decision decide(const State& s, const Command& c);
};
static_assert(Decider<Payment>);

}  // namespace lms::domain::payments
