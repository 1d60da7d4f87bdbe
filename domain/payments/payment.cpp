#include "domain/payments/payment.hpp"

namespace lms::domain::payments {
namespace {

using Kind = DomainError::Kind;

DomainError refusal(Kind kind, const char* code, const char* message) { return {kind, code, message, "", {}}; }

template <class E>
Decision one(const E& e) {
    return std::vector<DomainEvent>{PaymentEvents::encode(e)};
}

Decision notice(const Payment::State& s, const RecordNotice& c) {
    if (!s.exists) return unexpected(refusal(Kind::NotFound, "payment_not_found", "no such payment"));
    if (s.notices.count(c.report.providerEventId) != 0) return std::vector<DomainEvent>{};  // a redelivery
    const auto status = s.status;
    if (c.kind == "completed") {
        // Once paid (or flagged), a second notice of the same payment adds nothing.
        if (s.completed || status == PaymentStatus::Flagged) return std::vector<DomainEvent>{};
        const auto& want = s.initiated;
        if (c.report.currency != want.currency) return one(PaymentFlagged{c.report, "currency_mismatch", c.at});
        if (c.report.amount != want.amount) return one(PaymentFlagged{c.report, "amount_mismatch", c.at});
        return one(PaymentCompleted{c.report, c.at});  // refunded already: recorded, and it stays refunded
    }
    if (c.kind == "refunded") {
        if (status == PaymentStatus::Refunded) return std::vector<DomainEvent>{};
        return one(PaymentRefunded{c.report, c.at});
    }
    if (c.kind == "expired" || c.kind == "failed") {
        // Only a payment still waiting can end so: a late notice after the completion changes nothing.
        if (status != PaymentStatus::Pending) return std::vector<DomainEvent>{};
        if (c.kind == "expired") return one(PaymentExpired{c.report.providerEventId, c.at});
        return one(PaymentFailed{c.report.providerEventId, c.at});
    }
    return std::vector<DomainEvent>{};
}

}  // namespace

Payment::State Payment::evolve(State s, const PaymentEvents::Event& event) {
    std::visit(Overloaded{
                   [&](const PaymentInitiated& e) {
                       s.exists = true;
                       s.initiated = e;
                       s.status = PaymentStatus::Pending;
                   },
                   [&](const PaymentCompleted& e) {
                       s.notices.insert(e.report.providerEventId);
                       s.completed = true;
                       s.providerPaymentId = e.report.providerPaymentId;
                       if (s.status != PaymentStatus::Refunded) s.status = PaymentStatus::Completed;
                   },
                   [&](const PaymentFlagged& e) {
                       s.notices.insert(e.report.providerEventId);
                       s.providerPaymentId = e.report.providerPaymentId;
                       if (s.status != PaymentStatus::Refunded) s.status = PaymentStatus::Flagged;
                   },
                   [&](const PaymentExpired& e) {
                       s.notices.insert(e.providerEventId);
                       s.status = PaymentStatus::Expired;
                   },
                   [&](const PaymentFailed& e) {
                       s.notices.insert(e.providerEventId);
                       s.status = PaymentStatus::Failed;
                   },
                   [&](const PaymentRefundRequested&) { s.refundRequested = true; },
                   [&](const PaymentRefunded& e) {
                       s.notices.insert(e.report.providerEventId);
                       s.status = PaymentStatus::Refunded;
                   },
               },
               event);
    return s;
}

Decision Payment::decide(const State& s, const Command& command) {
    return std::visit(Overloaded{
                          [&](const InitiatePayment& c) -> Decision {
                              if (s.exists)
                                  return unexpected(refusal(Kind::Conflict, "payment_exists", "the payment exists"));
                              if (c.initiated.amount <= 0)
                                  return unexpected(refusal(Kind::Conflict, "course_free",
                                                            "a free course is enrolled in, not paid for"));
                              if (c.initiated.studentId == c.initiated.instructorId)
                                  return unexpected(refusal(Kind::Forbidden, "own_course",
                                                            "an instructor does not buy their own course"));
                              return one(c.initiated);
                          },
                          [&](const RecordNotice& c) -> Decision { return notice(s, c); },
                          [&](const RequestRefund& c) -> Decision {
                              if (!s.exists)
                                  return unexpected(refusal(Kind::NotFound, "payment_not_found", "no such payment"));
                              if (s.status == PaymentStatus::Refunded) return std::vector<DomainEvent>{};
                              if (s.status != PaymentStatus::Completed && s.status != PaymentStatus::Flagged)
                                  return unexpected(refusal(Kind::Conflict, "not_refundable",
                                                            "only a completed payment is refunded"));
                              return one(PaymentRefundRequested{c.refundRef, c.at});
                          },
                      },
                      command);
}

}  // namespace lms::domain::payments
