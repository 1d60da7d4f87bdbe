#pragma once
// A local stand-in for the parts of Stripe's REST API that lms calls (Checkout Sessions and
// Refunds), on 127.0.0.1 and a free port: it checks the secret key and records every call's
// form fields and Idempotency-Key, and answers as Stripe does (the same session again for a
// repeated Idempotency-Key). The test then plays Stripe's webhooks itself, signed.
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lms::test {

class StripeStandIn {
public:
    struct Call {
        std::string path, idempotencyKey;
        std::map<std::string, std::string> form;
    };
    explicit StripeStandIn(std::string secretKey) : key_(std::move(secretKey)) {
        auto params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(4);
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), Poco::Net::ServerSocket(0), params);
        server_->start();
    }
    ~StripeStandIn() { stop(); }
    void stop() {
        if (server_) server_->stopAll(true);
        server_.reset();
    }
    std::string base() const { return "http://127.0.0.1:" + std::to_string(port_()); }
    std::vector<Call> calls() const {
        std::lock_guard lock(m_);
        return calls_;
    }

private:
    int port_() const { return server_ ? server_->port() : 0; }
    nlohmann::json answer(const Call& c, int& status) {
        std::lock_guard lock(m_);
        calls_.push_back(c);
        if (const auto it = byKey_.find(c.path + c.idempotencyKey); it != byKey_.end()) return it->second;
        nlohmann::json out;
        if (c.path == "/v1/checkout/sessions") {
            const std::string id = "cs_test_standin_" + std::to_string(++n_);
            out = {{"id", id},
                   {"object", "checkout.session"},
                   {"url", "https://checkout.stripe.test/c/pay/" + id},
                   {"amount_total", std::stoll(c.form.at("line_items[0][price_data][unit_amount]"))},
                   {"currency", c.form.at("line_items[0][price_data][currency]")},
                   {"client_reference_id", c.form.at("client_reference_id")},
                   {"payment_intent", nullptr}};
        } else if (c.path == "/v1/refunds") {
            out = {{"id", "re_standin_" + std::to_string(++n_)},
                   {"object", "refund"},
                   {"payment_intent", c.form.at("payment_intent")},
                   {"status", "succeeded"}};
        } else {
            status = 404;
            return {{"error", {{"message", "Unrecognized request URL"}}}};
        }
        byKey_[c.path + c.idempotencyKey] = out;
        return out;
    }

    class Handler : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(StripeStandIn& s) : s_(s) {}
        void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& res) override {
            int status = 200;
            nlohmann::json body;
            if (req.get("Authorization", "") != "Bearer " + s_.key_) {
                status = 401;
                body = {{"error", {{"message", "Invalid API Key provided"}}}};
            } else {
                Poco::Net::HTMLForm form(req, req.stream());
                Call c{req.getURI(), req.get("Idempotency-Key", ""), {}};
                for (const auto& [k, v] : form) c.form[k] = v;
                try {
                    body = s_.answer(c, status);
                } catch (const std::exception& e) {
                    status = 400;
                    body = {{"error", {{"message", std::string("missing parameter: ") + e.what()}}}};
                }
            }
            res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
            res.setContentType("application/json");
            res.send() << body.dump();
        }

    private:
        StripeStandIn& s_;
    };
    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(StripeStandIn& s) : s_(s) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new Handler(s_);
        }

    private:
        StripeStandIn& s_;
    };

    std::string key_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
    mutable std::mutex m_;
    std::vector<Call> calls_;
    std::map<std::string, nlohmann::json> byKey_;
    int n_ = 0;
};

}  // namespace lms::test
