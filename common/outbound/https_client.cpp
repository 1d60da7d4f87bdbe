#include "common/outbound/https_client.hpp"

#include <Poco/Exception.h>
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

namespace lms::outbound {
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

Answer send(const Request& request) {
    try {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (request.https) {
            // The handshake verifies the chain and that the certificate names the host.
            session = std::make_unique<Poco::Net::HTTPSClientSession>(request.host, request.port, tlsContext());
        } else {
            session = std::make_unique<Poco::Net::HTTPClientSession>(request.host, request.port);
        }
        session->setTimeout(Poco::Timespan(static_cast<long>(request.timeout.count()), 0));
        Poco::Net::HTTPRequest out(request.method, request.target, Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : request.headers) out.set(name, value);
        out.setKeepAlive(false);  // one request per connection
        if (!request.body.empty() || request.method == "PUT" || request.method == "POST")
            out.setContentLength(static_cast<std::streamsize>(request.body.size()));
        auto& stream = session->sendRequest(out);
        stream.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
        Poco::Net::HTTPResponse response;
        auto& in = session->receiveResponse(response);
        Answer answer{static_cast<int>(response.getStatus()), ""};
        Poco::StreamCopier::copyToString(in, answer.body);
        return answer;
    } catch (const Poco::Exception& e) {
        throw Unreachable(e.displayText());
    } catch (const std::ios_base::failure& e) {
        throw Unreachable(e.what());
    }
}

std::string locate(const std::string& url, Request& into) {
    Poco::URI uri;
    try {
        uri = Poco::URI(url);
    } catch (const Poco::Exception& e) {
        throw std::invalid_argument("not a URL: " + url + " (" + e.displayText() + ")");
    }
    if ((uri.getScheme() != "https" && uri.getScheme() != "http") || uri.getHost().empty())
        throw std::invalid_argument("not an http(s)://host URL: " + url);
    into.https = uri.getScheme() == "https";
    into.host = uri.getHost();
    into.port = uri.getPort();
    std::string base = uri.getPath();
    if (base == "/") base.clear();
    return base;
}

}  // namespace lms::outbound
