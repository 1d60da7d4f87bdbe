#pragma once
// One HTTPS (or, for a local stand-in, HTTP) POST to a provider's REST API, with a bounded wait:
// what the Stripe and Razorpay clients share. TLS is verified against the system's CAs.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"

namespace lms::payments {

struct RestCall {
    std::string base;  // https://api.stripe.com
    std::string path;  // /v1/refunds
    std::string contentType;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::seconds timeout{15};
};
struct RestAnswer {
    int status = 0;
    std::string body;
};

// The answer (any status), or why there is none (unreachable, timed out, a bad URL).
expected<RestAnswer, std::string> post(const RestCall& call);

}  // namespace lms::payments
