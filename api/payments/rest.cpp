#include "api/payments/rest.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <memory>
#include <mutex>

namespace lms::payments {
namespace {

Poco::Net::Context::Ptr tlsContext() {
    static std::once_flag once;
    static Poco::Net::Context::Ptr context;
    std::call_once(once, [] {
        Poco::Net::initializeSSL();
        Poco::Net::Context::Params params;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;  // a client: verify the server
        params.loadDefaultCAs = true;
        context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        context->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                                  Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
    });
    return context;
}

}  // namespace

expected<RestAnswer, std::string> post(const RestCall& call) {
    try {
        const Poco::URI base(call.base);
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (base.getScheme() == "https") {
            session = std::make_unique<Poco::Net::HTTPSClientSession>(base.getHost(), base.getPort(), tlsContext());
        } else {
            session = std::make_unique<Poco::Net::HTTPClientSession>(base.getHost(), base.getPort());
        }
        session->setTimeout(Poco::Timespan(static_cast<long>(call.timeout.count()), 0));
        Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, base.getPath() + call.path,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [k, v] : call.headers) req.set(k, v);
        req.setKeepAlive(false);  // one call per session
        req.setContentType(call.contentType);
        req.setContentLength(static_cast<std::streamsize>(call.body.size()));
        session->sendRequest(req) << call.body;
        Poco::Net::HTTPResponse res;
        auto& in = session->receiveResponse(res);
        RestAnswer answer{static_cast<int>(res.getStatus()), ""};
        Poco::StreamCopier::copyToString(in, answer.body);
        return answer;
    } catch (const std::exception& e) {
        return unexpected(std::string("unreachable: ") + e.what());
    }
}

}  // namespace lms::payments
