#include "domain/payments/notices.hpp"

#include <cctype>

namespace lms::domain::payments {
namespace {

using nlohmann::json;

const json& at(const json& j, std::initializer_list<const char*> path) {
    static const json kNull;
    const json* p = &j;
    for (const char* k : path) {
        if (!p->is_object()) return kNull;
        const auto it = p->find(k);
        if (it == p->end()) return kNull;
        p = &*it;
    }
    return *p;
}
std::string str(const json& j) { return j.is_string() ? j.get<std::string>() : std::string(); }
std::int64_t num(const json& j) { return j.is_number_integer() ? j.get<std::int64_t>() : -1; }
std::string upper(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
}

}  // namespace

std::optional<WebhookReceived> stripeNotice(const json& body) {
    const std::string id = str(at(body, {"id"}));
    const std::string type = str(at(body, {"type"}));
    if (id.empty() || type.empty()) return std::nullopt;
    WebhookReceived n;
    n.provider = "stripe";
    n.eventType = type;
    n.kind = "ignored";
    n.report.providerEventId = id;
    n.at = num(at(body, {"created"})) > 0 ? num(at(body, {"created"})) * 1'000'000 : 0;
    const json& o = at(body, {"data", "object"});
    n.paymentId = str(at(o, {"metadata", "paymentId"}));
    if (type.rfind("checkout.session.", 0) == 0) {
        if (n.paymentId.empty()) n.paymentId = str(at(o, {"client_reference_id"}));
        n.providerRef = str(at(o, {"id"}));
        n.report.providerPaymentId = str(at(o, {"payment_intent"}));
        n.report.amount = num(at(o, {"amount_total"}));
        n.report.currency = upper(str(at(o, {"currency"})));
        if (type == "checkout.session.completed" && str(at(o, {"payment_status"})) == "paid") n.kind = "completed";
        else if (type == "checkout.session.async_payment_succeeded") n.kind = "completed";
        else if (type == "checkout.session.async_payment_failed") n.kind = "failed";
        else if (type == "checkout.session.expired") n.kind = "expired";
    } else if (type == "charge.refunded") {
        n.report.providerPaymentId = str(at(o, {"payment_intent"}));
        n.report.amount = num(at(o, {"amount_refunded"}));
        n.report.currency = upper(str(at(o, {"currency"})));
        // A partial refund leaves the student's access; only a whole refund revokes it.
        if (at(o, {"refunded"}) == json(true)) n.kind = "refunded";
    }
    return n;
}

std::optional<WebhookReceived> razorpayNotice(const json& body, const std::string& eventId) {
    const std::string type = str(at(body, {"event"}));
    if (eventId.empty() || type.empty()) return std::nullopt;
    WebhookReceived n;
    n.provider = "razorpay";
    n.eventType = type;
    n.kind = "ignored";
    n.report.providerEventId = eventId;
    n.at = num(at(body, {"created_at"})) > 0 ? num(at(body, {"created_at"})) * 1'000'000 : 0;
    const json& payment = at(body, {"payload", "payment", "entity"});
    n.paymentId = str(at(payment, {"notes", "paymentId"}));
    n.providerRef = str(at(payment, {"order_id"}));
    n.report.providerPaymentId = str(at(payment, {"id"}));
    n.report.amount = num(at(payment, {"amount"}));
    n.report.currency = upper(str(at(payment, {"currency"})));
    if (type == "payment.captured" || type == "order.paid") {
        n.kind = "completed";
        if (n.providerRef.empty()) n.providerRef = str(at(body, {"payload", "order", "entity", "id"}));
        if (n.paymentId.empty()) n.paymentId = str(at(body, {"payload", "order", "entity", "notes", "paymentId"}));
    } else if (type == "payment.failed") {
        n.kind = "failed";
    } else if (type == "refund.processed") {
        const json& refund = at(body, {"payload", "refund", "entity"});
        // A partial refund leaves the student's access: refunded is when the whole payment is.
        const bool whole = payment.is_null() || num(at(payment, {"amount_refunded"})) >= num(at(payment, {"amount"}));
        n.kind = whole ? "refunded" : "ignored";
        n.report.providerPaymentId = str(at(refund, {"payment_id"}));
        n.report.amount = num(at(refund, {"amount"}));
        n.report.currency = upper(str(at(refund, {"currency"})));
    }
    return n;
}

}  // namespace lms::domain::payments
