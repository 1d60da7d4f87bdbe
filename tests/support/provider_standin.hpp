#pragma once
// Local stand-ins for the parts of the providers' REST APIs that lms calls, on 127.0.0.1 and a
// free port: Stripe's Checkout Sessions and Refunds (form bodies, a Bearer secret key, the same
// answer again for a repeated Idempotency-Key, as Stripe does) and Razorpay's Orders and Refunds
// (JSON bodies, HTTP basic auth). Each records every call. The test then plays the provider's
// webhooks itself, signed.
#include <Poco/Base64Encoder.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace lms::test {

class ProviderStandIn {
public:
    struct Call {
        std::string path, idempotencyKey;
        std::map<std::string, std::string> form;  // a form body's fields (Stripe)
        nlohmann::json json;                      // a JSON body (Razorpay)
    };
    struct Answer {
        int status = 200;
        nlohmann::json body;
    };
    using Behaviour = std::function<Answer(const Call&, int serial)>;

    static std::unique_ptr<ProviderStandIn> stripe(const std::string& secretKey) {
        return std::make_unique<ProviderStandIn>("Bearer " + secretKey, true, [](const Call& c, int n) -> Answer {
            if (c.path == "/v1/checkout/sessions") {
                const std::string id = "cs_test_standin_" + std::to_string(n);
                return {200,
                        {{"id", id},
                         {"object", "checkout.session"},
                         {"url", "https://checkout.stripe.test/c/pay/" + id},
                         {"amount_total", std::stoll(c.form.at("line_items[0][price_data][unit_amount]"))},
                         {"currency", c.form.at("line_items[0][price_data][currency]")},
                         {"client_reference_id", c.form.at("client_reference_id")}}};
            }
            if (c.path == "/v1/refunds") {
                return {200,
                        {{"id", "re_standin_" + std::to_string(n)},
                         {"payment_intent", c.form.at("payment_intent")},
                         {"status", "succeeded"}}};
            }
            return {404, {{"error", {{"message", "Unrecognized request URL"}}}}};
        });
    }
    static std::unique_ptr<ProviderStandIn> razorpay(const std::string& keyId, const std::string& keySecret) {
        std::ostringstream basic;
        Poco::Base64Encoder enc(basic);
        enc.rdbuf()->setLineLength(0);
        enc << keyId << ":" << keySecret;
        enc.close();
        return std::make_unique<ProviderStandIn>("Basic " + basic.str(), false, [](const Call& c, int n) -> Answer {
            if (c.path == "/v1/orders") {
                return {200,
                        {{"id", "order_standin_" + std::to_string(n)},
                         {"entity", "order"},
                         {"amount", c.json.at("amount")},
                         {"currency", c.json.at("currency")},
                         {"receipt", c.json.at("receipt")},
                         {"status", "created"}}};
            }
            if (c.path.rfind("/v1/payments/", 0) == 0 && c.path.size() > 7 &&
                c.path.compare(c.path.size() - 7, 7, "/refund") == 0) {
                return {200,
                        {{"id", "rfnd_standin_" + std::to_string(n)}, {"entity", "refund"}, {"status", "processed"}}};
            }
            return {404,
                    {{"error", {{"code", "BAD_REQUEST_ERROR"}, {"description", "The requested URL was not found"}}}}};
        });
    }

    ProviderStandIn(std::string authorization, bool formBodies, Behaviour behaviour)
        : authorization_(std::move(authorization)), form_(formBodies), behaviour_(std::move(behaviour)) {
        auto params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(4);
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), Poco::Net::ServerSocket(0), params);
        server_->start();
        port_ = server_->port();
    }
    ~ProviderStandIn() { stop(); }
    void stop() {
        if (server_) server_->stopAll(true);
        server_.reset();
    }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<Call> calls() const {
        std::lock_guard lock(m_);
        return calls_;
    }

private:
    Answer answer(const Call& c) {
        std::lock_guard lock(m_);
        calls_.push_back(c);
        const std::string key = c.path + "\n" + c.idempotencyKey;
        if (!c.idempotencyKey.empty()) {
            if (const auto it = byKey_.find(key); it != byKey_.end()) return it->second;
        }
        Answer a;
        try {
            a = behaviour_(c, ++serial_);
        } catch (const std::exception& e) {
            a = {400, {{"error", {{"message", std::string("missing parameter: ") + e.what()}}}}};
        }
        if (!c.idempotencyKey.empty() && a.status == 200) byKey_[key] = a;
        return a;
    }

    class Handler : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(ProviderStandIn& s) : s_(s) {}
        void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
            Answer a{401,
                     {{"error", {{"message", "Invalid API Key provided"}, {"description", "Authentication failed"}}}}};
            if (req.get("Authorization", "") == s_.authorization_) {
                Call c{req.getURI(), req.get("Idempotency-Key", ""), {}, nullptr};
                if (s_.form_) {
                    Poco::Net::HTMLForm form(req, req.stream());
                    for (const auto& [k, v] : form) c.form[k] = v;
                } else {
                    std::string body;
                    Poco::StreamCopier::copyToString(req.stream(), body);
                    c.json = nlohmann::json::parse(body, nullptr, false);
                }
                a = s_.answer(c);
            }
            res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(a.status));
            res.setContentType("application/json");
            res.send() << a.body.dump();
        }

    private:
        ProviderStandIn& s_;
    };
    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(ProviderStandIn& s) : s_(s) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Handler(s_);
        }

    private:
        ProviderStandIn& s_;
    };

    std::string authorization_;
    bool form_;
    Behaviour behaviour_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    int port_ = 0;
    mutable std::mutex m_;
    std::vector<Call> calls_;
    std::map<std::string, Answer> byKey_;
    int serial_ = 0;
};

}  // namespace lms::test
