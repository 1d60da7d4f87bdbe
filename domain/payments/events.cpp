#include "domain/payments/events.hpp"

namespace lms::domain::payments {

using fields::integer;
using fields::text;
using nlohmann::json;

namespace {

json reportJson(const ProviderReport& r) {
    return {{"providerEventId", r.providerEventId},
            {"providerPaymentId", r.providerPaymentId},
            {"amount", r.amount},
            {"currency", r.currency}};
}
ProviderReport reportFrom(const json& d) {
    return {text(d, "providerEventId"), text(d, "providerPaymentId"), integer(d, "amount"), text(d, "currency")};
}
json with(json j, const char* key, json value) {
    j[key] = std::move(value);
    return j;
}

}  // namespace

const char* toString(PaymentStatus s) {
    switch (s) {
        case PaymentStatus::Completed: return "COMPLETED";
        case PaymentStatus::Flagged: return "FLAGGED";
        case PaymentStatus::Expired: return "EXPIRED";
        case PaymentStatus::Failed: return "FAILED";
        case PaymentStatus::Refunded: return "REFUNDED";
        case PaymentStatus::Pending: break;
    }
    return "PENDING";
}

json PaymentInitiated::toJson() const {
    return {{"paymentId", paymentId.value()},
            {"studentId", studentId},
            {"courseId", courseId},
            {"instructorId", instructorId},
            {"provider", provider},
            {"providerRef", providerRef},
            {"amount", amount},
            {"currency", currency},
            {"url", url},
            {"expiresAt", expiresAt},
            {"at", at}};
}
PaymentInitiated PaymentInitiated::fromJson(const json& d) {
    return {PaymentId(text(d, "paymentId")),
            text(d, "studentId"),
            text(d, "courseId"),
            text(d, "instructorId"),
            text(d, "provider"),
            text(d, "providerRef"),
            integer(d, "amount"),
            text(d, "currency"),
            text(d, "url"),
            integer(d, "expiresAt"),
            integer(d, "at")};
}

json PaymentCompleted::toJson() const { return with(reportJson(report), "at", at); }
PaymentCompleted PaymentCompleted::fromJson(const json& d) { return {reportFrom(d), integer(d, "at")}; }

json PaymentFlagged::toJson() const { return with(with(reportJson(report), "reason", reason), "at", at); }
PaymentFlagged PaymentFlagged::fromJson(const json& d) { return {reportFrom(d), text(d, "reason"), integer(d, "at")}; }

json PaymentExpired::toJson() const { return {{"providerEventId", providerEventId}, {"at", at}}; }
PaymentExpired PaymentExpired::fromJson(const json& d) { return {text(d, "providerEventId"), integer(d, "at")}; }

json PaymentFailed::toJson() const { return {{"providerEventId", providerEventId}, {"at", at}}; }
PaymentFailed PaymentFailed::fromJson(const json& d) { return {text(d, "providerEventId"), integer(d, "at")}; }

json PaymentRefundRequested::toJson() const { return {{"refundRef", refundRef}, {"at", at}}; }
PaymentRefundRequested PaymentRefundRequested::fromJson(const json& d) {
    return {text(d, "refundRef"), integer(d, "at")};
}

json PaymentRefunded::toJson() const { return with(reportJson(report), "at", at); }
PaymentRefunded PaymentRefunded::fromJson(const json& d) { return {reportFrom(d), integer(d, "at")}; }

json WebhookReceived::toJson() const {
    auto j = reportJson(report);
    j["provider"] = provider;
    j["eventType"] = eventType;
    j["kind"] = kind;
    j["paymentId"] = paymentId;
    j["providerRef"] = providerRef;
    j["at"] = at;
    return j;
}
WebhookReceived WebhookReceived::fromJson(const json& d) {
    return {text(d, "provider"),    text(d, "eventType"), text(d, "kind"), text(d, "paymentId"),
            text(d, "providerRef"), reportFrom(d),        integer(d, "at")};
}

}  // namespace lms::domain::payments
