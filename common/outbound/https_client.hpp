#pragma once
// One HTTP request to another service (S3, Stripe, Razorpay), over TLS verified against the
// system's CAs (TLS 1.2 and later) or, for a local endpoint, plain HTTP; one connection per
// request, with a bounded wait. What every outbound call of the project shares, so that the TLS
// settings are made in one place.
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lms::outbound {

struct Request {
    std::string method;  // "GET", "PUT", "POST"
    bool https = true;
    std::string host;
    std::uint16_t port = 443;
    std::string target;  // the path and query as on the request line
    std::vector<std::pair<std::string, std::string>> headers;
    std::string_view body;             // sent with its Content-Length for PUT and POST (and any non-empty body)
    std::chrono::seconds timeout{15};  // connecting, and each wait for the other side
};

struct Answer {
    int status = 0;
    std::string body;
};

// No answer: the host could not be reached, TLS failed (a certificate that does not verify or
// name the host), or the other side did not answer in time.
class Unreachable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The answer, whatever its status; throws Unreachable when there is none.
Answer send(const Request& request);

// Splits "https://host[:port][/base]" into a request's scheme, host and port; returns the base
// path ("" or "/base"). Throws std::invalid_argument for another scheme or no host.
std::string locate(const std::string& url, Request& into);

}  // namespace lms::outbound
