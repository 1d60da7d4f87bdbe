#include "api/payments/provider.hpp"

#include "api/payments/stripe.hpp"

namespace lms::payments {
namespace {

class Unavailable final : public Provider {
public:
    explicit Unavailable(std::string name) : name_(std::move(name)) {}
    std::string name() const override { return name_; }
    expected<CheckoutSession, std::string> checkout(const CheckoutRequest&) override {
        return unexpected("the " + name_ + " checkout client is not available in this build");
    }
    expected<std::string, std::string> refund(const RefundRequest&) override {
        return unexpected("the " + name_ + " refund client is not available in this build");
    }

private:
    std::string name_;
};

}  // namespace

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
    return std::make_unique<Unavailable>(config.paymentProvider);
}

}  // namespace lms::payments
