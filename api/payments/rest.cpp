#include "api/payments/rest.hpp"

#include <stdexcept>

#include "common/outbound/https_client.hpp"

namespace lms::payments {

expected<RestAnswer, std::string> post(const RestCall& call) {
    outbound::Request request;
    try {
        request.target = outbound::locate(call.base, request) + call.path;
    } catch (const std::invalid_argument& e) {
        return unexpected(std::string("unreachable: ") + e.what());
    }
    request.method = "POST";
    request.headers = call.headers;
    request.headers.emplace_back("Content-Type", call.contentType);
    request.body = call.body;
    request.timeout = call.timeout;
    try {
        auto answer = outbound::send(request);
        return RestAnswer{answer.status, std::move(answer.body)};
    } catch (const outbound::Unreachable& e) {
        return unexpected(std::string("unreachable: ") + e.what());
    }
}

}  // namespace lms::payments
