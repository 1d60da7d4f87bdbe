#pragma once
// What a provider's webhook body means for a payment, read from its JSON (already verified):
// the few fields a payment needs, nothing of the customer. Pure.
//
// Stripe (`type`, `data.object`):
//   checkout.session.completed (payment_status paid), checkout.session.async_payment_succeeded → completed
//   checkout.session.async_payment_failed → failed; checkout.session.expired → expired
//   charge.refunded (refunded: true, the whole charge) → refunded
// Razorpay (`event`, `payload`; the event id is the X-Razorpay-Event-Id header):
//   payment.captured, order.paid → completed; payment.failed → failed; refund.processed → refunded
// Anything else is `ignored` (answered 2xx, not stored).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "domain/payments/events.hpp"

namespace lms::domain::payments {

// Nothing when the body is not a provider event at all (no id, no type): a 400.
std::optional<WebhookReceived> stripeNotice(const nlohmann::json& body);
std::optional<WebhookReceived> razorpayNotice(const nlohmann::json& body, const std::string& eventId);

}  // namespace lms::domain::payments
