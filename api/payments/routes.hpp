#pragma once
// Payments over HTTP: a student's checkout, the simulated provider's page and buttons, the
// providers' webhooks (verified on the raw bytes, stored, answered at once; processed from the
// store by processor.hpp), the caller's history, the admin's list with totals and refunds. Thin.
#include <memory>

#include "api/context.hpp"
#include "api/payments/commands.hpp"
#include "api/payments/provider.hpp"

namespace lms::payments {

class Routes final : public api::HttpSide {
public:
    explicit Routes(api::Services& services);
    void mount(http::Router& router) override;

    http::Response checkout(http::Request& req);
    http::Response simulatedPage(http::Request& req);
    http::Response simulated(http::Request& req, const std::string& kind);
    http::Response razorpayPage(http::Request& req);
    http::Response stripeWebhook(http::Request& req);
    http::Response razorpayWebhook(http::Request& req);
    http::Response history(http::Request& req);
    http::Response adminList(http::Request& req);
    http::Response refund(http::Request& req);

private:
    Commands commands(pg::Connection& c) const;
    http::Response received(const http::Request& req, const std::optional<WebhookReceived>& notice);

    api::Services& services_;
    std::unique_ptr<Provider> provider_;
};

}  // namespace lms::payments
