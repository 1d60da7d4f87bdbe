#include "api/payments/stripe.hpp"

#include <Poco/URI.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "api/payments/rest.hpp"

namespace lms::payments {
namespace {

std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

}  // namespace

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [k, v] : fields) {
        std::string ek, ev;
        Poco::URI::encode(k, "!#$&'()*+,/:;=?@[]", ek);
        Poco::URI::encode(v, "!#$&'()*+,/:;=?@[]", ev);
        if (!out.empty()) out += '&';
        out += ek + "=" + ev;
    }
    return out;
}

expected<std::string, std::string> StripeProvider::post(const std::string& path, const std::string& form,
                                                        const std::string& idempotencyKey) const {
    if (s_.secretKey.empty()) return unexpected(std::string("LMS_STRIPE_SECRET_KEY is not set"));
    auto answer = payments::post({s_.apiBase,
                                  path,
                                  "application/x-www-form-urlencoded",
                                  form,
                                  {{"Authorization", "Bearer " + s_.secretKey}, {"Idempotency-Key", idempotencyKey}},
                                  s_.timeout});
    if (!answer) return unexpected("Stripe is " + answer.error());
    if (answer->status / 100 != 2) {
        const auto j = nlohmann::json::parse(answer->body, nullptr, false);
        std::string message = "HTTP " + std::to_string(answer->status);
        if (j.is_object() && j.contains("error") && j["error"].is_object())
            message += ": " + j["error"].value("message", "");
        return unexpected(message);
    }
    return answer->body;
}

expected<CheckoutSession, std::string> StripeProvider::checkout(const CheckoutRequest& r) {
    const std::string success = s_.successUrl + (s_.successUrl.find('?') == std::string::npos ? "?" : "&") +
                                "payment=" + r.paymentId;
    const std::string cancel = s_.cancelUrl + (s_.cancelUrl.find('?') == std::string::npos ? "?" : "&") +
                               "payment=" + r.paymentId;
    const auto form = formEncode({{"mode", "payment"},
                                  {"client_reference_id", r.paymentId},
                                  {"metadata[paymentId]", r.paymentId},
                                  {"payment_intent_data[metadata][paymentId]", r.paymentId},
                                  {"line_items[0][quantity]", "1"},
                                  {"line_items[0][price_data][currency]", lower(r.currency)},
                                  {"line_items[0][price_data][unit_amount]", std::to_string(r.amount)},
                                  {"line_items[0][price_data][product_data][name]", r.courseTitle},
                                  {"expires_at", std::to_string(r.expiresAtSeconds)},
                                  {"success_url", success},
                                  {"cancel_url", cancel}});
    auto answer = post("/v1/checkout/sessions", form, "checkout-" + r.paymentId);
    if (!answer) return unexpected(answer.error());
    const auto j = nlohmann::json::parse(*answer, nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string() || !j.contains("url") || !j["url"].is_string())
        return unexpected(std::string("Stripe answered without a session id and url"));
    return CheckoutSession{j["id"].get<std::string>(), j["url"].get<std::string>()};
}

expected<std::string, std::string> StripeProvider::refund(const RefundRequest& r) {
    if (r.providerPaymentId.empty()) return unexpected(std::string("the payment has no PaymentIntent yet"));
    const auto form = formEncode({{"payment_intent", r.providerPaymentId}, {"metadata[paymentId]", r.paymentId}});
    auto answer = post("/v1/refunds", form, "refund-" + r.paymentId);
    if (!answer) return unexpected(answer.error());
    const auto j = nlohmann::json::parse(*answer, nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
        return unexpected(std::string("Stripe answered without a refund id"));
    return j["id"].get<std::string>();
}

}  // namespace lms::payments
