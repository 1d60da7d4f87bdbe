#pragma once
// Stripe as a payments::Provider, over its REST API with the secret key (LMS_STRIPE_SECRET_KEY):
// a Checkout Session per payment (`POST /v1/checkout/sessions`: one line item at the course's
// price, client_reference_id and metadata naming our payment, payment_intent_data.metadata too
// so that a charge's refund can be matched) and refunds (`POST /v1/refunds` of the payment's
// PaymentIntent). Every call carries Stripe's own Idempotency-Key (our payment's id), so that a
// retried call opens no second session. The base URL is LMS_STRIPE_API_BASE (tests point it at a
// local stand-in); https is verified against the system's CAs.
#include <chrono>
#include <string>

#include "api/payments/provider.hpp"

namespace lms::payments {

class StripeProvider final : public Provider {
public:
    struct Settings {
        std::string secretKey;
        std::string apiBase = "https://api.stripe.com";
        std::string successUrl;  // where Stripe sends the student after paying
        std::string cancelUrl;
        std::chrono::seconds timeout{15};
    };
    explicit StripeProvider(Settings settings) : s_(std::move(settings)) {}
    std::string name() const override { return "stripe"; }
    expected<CheckoutSession, std::string> checkout(const CheckoutRequest& request) override;
    expected<std::string, std::string> refund(const RefundRequest& request) override;

private:
    // A form-encoded POST to path; the JSON answer, or why not.
    expected<std::string, std::string> post(const std::string& path, const std::string& form,
                                            const std::string& idempotencyKey) const;
    Settings s_;
};

// application/x-www-form-urlencoded, as Stripe reads it.
std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace lms::payments
