#pragma once
// A payment provider as the payments use cases see it: it opens a checkout for an amount and
// refunds a payment; what then happens (paid, expired, refunded) arrives as a verified notice.
// Chosen by LMS_PAYMENT_PROVIDER. `simulated`, the embedded default, is served by the API itself:
// its checkout is a page with Pay and Cancel buttons (or `POST {url}/complete` and `/cancel`),
// and its notices are stored exactly as a verified webhook's are, so that the same processor
// moves every payment.
#include <cstdint>
#include <memory>
#include <string>

#include "common/config.hpp"
#include "common/expected.hpp"

namespace lms::payments {

struct CheckoutRequest {
    std::string paymentId, courseId, courseTitle;
    std::int64_t amount = 0;
    std::string currency;
    std::int64_t expiresAtSeconds = 0;
};
struct RefundRequest {
    std::string paymentId, providerRef, providerPaymentId;
    std::int64_t amount = 0;
    std::string currency;
};
struct CheckoutSession {
    std::string ref;  // the provider's id of the checkout
    std::string url;  // where the student pays
};

class Provider {
public:
    virtual ~Provider() = default;
    virtual std::string name() const = 0;
    // The provider's checkout, or why it could not be opened (the provider is unreachable, ...).
    virtual expected<CheckoutSession, std::string> checkout(const CheckoutRequest& request) = 0;
    // Asks for the whole payment back; the provider's id of the refund, or why not. The refund
    // itself is what the provider's notice then says.
    virtual expected<std::string, std::string> refund(const RefundRequest& request) = 0;
};

// The simulated provider's checkout page for a payment: <publicUrl>/api/v1/payments/simulated/<id>.
class SimulatedProvider final : public Provider {
public:
    explicit SimulatedProvider(std::string publicUrl) : publicUrl_(std::move(publicUrl)) {}
    std::string name() const override { return "simulated"; }
    expected<CheckoutSession, std::string> checkout(const CheckoutRequest& request) override;
    // Refunded at once: the caller stores the simulator's refund notice.
    expected<std::string, std::string> refund(const RefundRequest& request) override {
        return "simrf_" + request.paymentId;
    }

private:
    std::string publicUrl_;
};

// The provider LMS_PAYMENT_PROVIDER names (stripe.hpp, razorpay.hpp, or the simulator).
std::unique_ptr<Provider> providerFrom(const Config& config);

}  // namespace lms::payments
