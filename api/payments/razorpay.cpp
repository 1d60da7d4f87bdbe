#include "api/payments/razorpay.hpp"

#include <Poco/Base64Encoder.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "api/payments/rest.hpp"

namespace lms::payments {
namespace {

std::string base64(const std::string& s) {
    std::ostringstream out;
    Poco::Base64Encoder enc(out);
    enc.rdbuf()->setLineLength(0);
    enc << s;
    enc.close();
    return out.str();
}

}  // namespace

expected<std::string, std::string> RazorpayProvider::post(const std::string& path, const std::string& json) const {
    if (s_.keyId.empty() || s_.keySecret.empty())
        return unexpected(std::string("LMS_RAZORPAY_KEY_ID and LMS_RAZORPAY_KEY_SECRET are not set"));
    auto answer = payments::post({s_.apiBase,
                                  path,
                                  "application/json",
                                  json,
                                  {{"Authorization", "Basic " + base64(s_.keyId + ":" + s_.keySecret)}},
                                  s_.timeout});
    if (!answer) return unexpected("Razorpay is " + answer.error());
    if (answer->status / 100 != 2) {
        const auto j = nlohmann::json::parse(answer->body, nullptr, false);
        std::string message = "HTTP " + std::to_string(answer->status);
        if (j.is_object() && j.contains("error") && j["error"].is_object())
            message += ": " + j["error"].value("description", "");
        return unexpected(message);
    }
    return answer->body;
}

expected<CheckoutSession, std::string> RazorpayProvider::checkout(const CheckoutRequest& r) {
    const nlohmann::json order{{"amount", r.amount},
                               {"currency", r.currency},
                               {"receipt", r.paymentId},
                               {"notes", {{"paymentId", r.paymentId}, {"courseId", r.courseId}}}};
    auto answer = post("/v1/orders", order.dump());
    if (!answer) return unexpected(answer.error());
    const auto j = nlohmann::json::parse(*answer, nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
        return unexpected(std::string("Razorpay answered without an order id"));
    return CheckoutSession{j["id"].get<std::string>(), s_.publicUrl + "/api/v1/payments/razorpay/" + r.paymentId};
}

expected<std::string, std::string> RazorpayProvider::refund(const RefundRequest& r) {
    if (r.providerPaymentId.empty()) return unexpected(std::string("the payment has no Razorpay payment id yet"));
    const nlohmann::json body{{"amount", r.amount}, {"notes", {{"paymentId", r.paymentId}}}};
    auto answer = post("/v1/payments/" + r.providerPaymentId + "/refund", body.dump());
    if (!answer) return unexpected(answer.error());
    const auto j = nlohmann::json::parse(*answer, nullptr, false);
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string())
        return unexpected(std::string("Razorpay answered without a refund id"));
    return j["id"].get<std::string>();
}

}  // namespace lms::payments
