#pragma once
// Razorpay as a payments::Provider, over its REST API with the key id and secret (HTTP basic
// auth): an order per payment (`POST /v1/orders`, the course's price, `receipt` and
// `notes.paymentId` naming our payment), paid on a page of ours that opens Razorpay's Checkout
// for that order (`GET /api/v1/payments/razorpay/{id}`); refunds of the captured payment
// (`POST /v1/payments/{id}/refund`). The base URL is LMS_RAZORPAY_API_BASE (tests point it at a
// local stand-in).
#include <chrono>
#include <string>

#include "api/payments/provider.hpp"

namespace lms::payments {

class RazorpayProvider final : public Provider {
public:
    struct Settings {
        std::string keyId, keySecret;
        std::string apiBase = "https://api.razorpay.com";
        std::string publicUrl;  // where our checkout page is
        std::chrono::seconds timeout{15};
    };
    explicit RazorpayProvider(Settings settings) : s_(std::move(settings)) {}
    std::string name() const override { return "razorpay"; }
    expected<CheckoutSession, std::string> checkout(const CheckoutRequest& request) override;
    expected<std::string, std::string> refund(const RefundRequest& request) override;
    const std::string& keyId() const { return s_.keyId; }

private:
    expected<std::string, std::string> post(const std::string& path, const std::string& json) const;
    Settings s_;
};

}  // namespace lms::payments
