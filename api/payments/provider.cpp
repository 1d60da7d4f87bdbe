#include "api/payments/provider.hpp"

#include "api/payments/razorpay.hpp"
#include "api/payments/stripe.hpp"

namespace lms::payments {
expected<CheckoutSession, std::string> SimulatedProvider::checkout(const CheckoutRequest& request) {
    return CheckoutSession{"sim_" + request.paymentId, publicUrl_ + "/api/v1/payments/simulated/" + request.paymentId};
}

std::unique_ptr<Provider> providerFrom(const Config& config) {
    if (config.paymentProvider == "simulated") return std::make_unique<SimulatedProvider>(config.publicUrl);
    if (config.paymentProvider == "stripe") {
        StripeProvider::Settings s;
        s.secretKey = config.stripeSecretKey;
        s.apiBase = config.stripeApiBase;
        s.successUrl = config.publicUrl + "/checkout/success";
        s.cancelUrl = config.publicUrl + "/checkout/cancelled";
        s.timeout = std::chrono::seconds(config.providerTimeoutS);
        return std::make_unique<StripeProvider>(s);
    }
    if (config.paymentProvider == "razorpay") {
        RazorpayProvider::Settings s;
        s.keyId = config.razorpayKeyId;
        s.keySecret = config.razorpayKeySecret;
        s.apiBase = config.razorpayApiBase;
        s.publicUrl = config.publicUrl;
        s.timeout = std::chrono::seconds(config.providerTimeoutS);
        return std::make_unique<RazorpayProvider>(s);
    }
    // Config refuses any other name: the simulator is what is left.
    return std::make_unique<SimulatedProvider>(config.publicUrl);
}

}  // namespace lms::payments
