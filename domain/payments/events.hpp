#pragma once
// The payments context's events. A payment: initiated at checkout with the amount and currency
// the course had then (never the client's), completed, flagged (the provider reported another
// amount or currency), expired or failed, refunded. A provider notice: what a verified webhook
// said, reduced to the fields a payment needs (no customer data: a provider's payload carries
// names and addresses, which have no place in an immutable store). docs/events.md is the catalogue.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "domain/core/codec.hpp"
#include "domain/payments/ids.hpp"

namespace lms::domain::payments {

enum class PaymentStatus { Pending, Completed, Flagged, Expired, Failed, Refunded };
const char* toString(PaymentStatus s);

struct PaymentInitiated {
    static constexpr std::string_view kType = "PaymentInitiated";
    static constexpr int kSchemaVersion = 1;
    PaymentId paymentId;
    std::string studentId, courseId, instructorId;
    std::string provider;     // simulated, stripe, razorpay
    std::string providerRef;  // the provider's checkout: a Stripe Checkout Session id, a Razorpay order id
    std::int64_t amount = 0;  // minor units, from the course
    std::string currency;     // ISO 4217, upper case
    std::string url;          // where the student pays
    std::int64_t expiresAt = 0;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static PaymentInitiated fromJson(const nlohmann::json& d);
};
// What the provider reported, as every provider-driven event names it.
struct ProviderReport {
    std::string providerEventId;
    std::string providerPaymentId;  // a Stripe PaymentIntent, a Razorpay payment id (when known)
    std::int64_t amount = 0;
    std::string currency;
};
struct PaymentCompleted {
    static constexpr std::string_view kType = "PaymentCompleted";
    static constexpr int kSchemaVersion = 1;
    ProviderReport report;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static PaymentCompleted fromJson(const nlohmann::json& d);
};
struct PaymentFlagged {  // paid, but not what was initiated: no enrollment; admins look
    static constexpr std::string_view kType = "PaymentFlagged";
    static constexpr int kSchemaVersion = 1;
    ProviderReport report;
    std::string reason;  // amount_mismatch, currency_mismatch
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static PaymentFlagged fromJson(const nlohmann::json& d);
};
struct PaymentExpired {
    static constexpr std::string_view kType = "PaymentExpired";
    static constexpr int kSchemaVersion = 1;
    std::string providerEventId;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static PaymentExpired fromJson(const nlohmann::json& d);
};
struct PaymentFailed {
    static constexpr std::string_view kType = "PaymentFailed";
    static constexpr int kSchemaVersion = 1;
    std::string providerEventId;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static PaymentFailed fromJson(const nlohmann::json& d);
};
struct PaymentRefundRequested {  // an admin asked the provider; the provider's notice refunds
    static constexpr std::string_view kType = "PaymentRefundRequested";
    static constexpr int kSchemaVersion = 1;
    std::string refundRef;  // the provider's refund id, when it gave one
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static PaymentRefundRequested fromJson(const nlohmann::json& d);
};
struct PaymentRefunded {
    static constexpr std::string_view kType = "PaymentRefunded";
    static constexpr int kSchemaVersion = 1;
    ProviderReport report;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static PaymentRefunded fromJson(const nlohmann::json& d);
};

using PaymentEvents = EventCodec<PaymentInitiated, PaymentCompleted, PaymentFlagged, PaymentExpired, PaymentFailed,
                                 PaymentRefundRequested, PaymentRefunded>;

// A verified provider notice (stream webhook-<provider>-<eventId>), processed from the store.
struct WebhookReceived {
    static constexpr std::string_view kType = "WebhookReceived";
    static constexpr int kSchemaVersion = 1;
    std::string provider;
    std::string eventType;    // the provider's: checkout.session.completed, payment.captured, ...
    std::string kind;         // what it means here: completed, refunded, expired, failed, ignored
    std::string paymentId;    // ours, when the notice names it (metadata, notes, client_reference_id)
    std::string providerRef;  // the checkout it is about (session, order), when it says
    ProviderReport report;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static WebhookReceived fromJson(const nlohmann::json& d);
};
using WebhookEvents = EventCodec<WebhookReceived>;

}  // namespace lms::domain::payments
