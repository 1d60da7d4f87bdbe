#include "api/payments/stripe.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <cctype>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

namespace lms::payments {
namespace {

std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

Poco::Net::Context::Ptr tlsContext() {
    static std::once_flag once;
    static Poco::Net::Context::Ptr context;
    std::call_once(once, [] {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;  // a client: verify the server
        params.loadDefaultCAs = true;
        context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                                  Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    });
    return context;
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
    try {
        const Poco::URI base(s_.apiBase);
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (base.getScheme() == "https") {
            session = std::make_unique<Poco::Net::HTTPSClientSession>(base.getHost(), base.getPort(), tlsContext());
        } else {
            session = std::make_unique<Poco::Net::HTTPClientSession>(base.getHost(), base.getPort());
        }
        session->setTimeout(Poco::Timespan(static_cast<long>(s_.timeout.count()), 0));
        Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, base.getPath() + path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        req.set("Authorization", "Bearer " + s_.secretKey);
        req.set("Idempotency-Key", idempotencyKey);
        req.setKeepAlive(false);  // one call per session
        req.setContentType("application/x-www-form-urlencoded");
        req.setContentLength(static_cast<std::streamsize>(form.size()));
        session->sendRequest(req) << form;
        Poco::Net::HTTPResponse res;
        auto& in = session->receiveResponse(res);
        std::string body;
        Poco::StreamCopier::copyToString(in, body);
        if (res.getStatus() / 100 != 2) {
            const auto j = nlohmann::json::parse(body, nullptr, false);
            std::string message = "HTTP " + std::to_string(static_cast<int>(res.getStatus()));
            if (j.is_object() && j.contains("error") && j["error"].is_object())
                message += ": " + j["error"].value("message", "");
            return unexpected(message);
        }
        return body;
    } catch (const std::exception& e) {
        return unexpected(std::string("Stripe is unreachable: ") + e.what());
    }
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
