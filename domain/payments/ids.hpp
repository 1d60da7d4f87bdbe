#pragma once
// The payments context's ids and stream names. A payment is one stream (payment-<paymentId>)
// from checkout to its end; each provider notice that was verified is one stream of its own
// (webhook-<provider>-<provider event id>, one event), so that a redelivered notice is the same
// stream and is stored once however often it arrives.
#include <optional>
#include <string>
#include <string_view>

#include "domain/core/categories.hpp"
#include "domain/core/named_type.hpp"

namespace lms::domain::payments {

using PaymentId = NamedType<std::string, struct PaymentIdTag>;

inline constexpr std::string_view kContext = "payments";
inline constexpr std::string_view kPaymentCategory = "payment";  // payment-<paymentId>: the Payment aggregate
inline constexpr std::string_view kWebhookCategory = "webhook";  // webhook-<provider>-<eventId>: a notice received
inline constexpr StreamCategory kCategories[] = {{kPaymentCategory, kContext}, {kWebhookCategory, kContext}};

inline std::string paymentStream(const PaymentId& id) { return std::string(kPaymentCategory) + "-" + id.value(); }

inline std::optional<PaymentId> paymentOfStream(std::string_view streamId) {
    const auto n = kPaymentCategory.size();
    if (streamId.size() <= n + 1 || streamId.substr(0, n) != kPaymentCategory || streamId[n] != '-')
        return std::nullopt;
    return PaymentId(std::string(streamId.substr(n + 1)));
}

// A provider's event id as part of a stream id: 1..100 of [A-Za-z0-9_.:-]; nothing otherwise.
inline std::optional<std::string> webhookStream(std::string_view provider, std::string_view eventId) {
    if (eventId.empty() || eventId.size() > 100) return std::nullopt;
    for (const char ch : eventId) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                        ch == '.' || ch == ':' || ch == '-';
        if (!ok) return std::nullopt;
    }
    return std::string(kWebhookCategory) + "-" + std::string(provider) + "-" + std::string(eventId);
}

}  // namespace lms::domain::payments
