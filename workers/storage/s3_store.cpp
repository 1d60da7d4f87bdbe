#include "workers/storage/s3_store.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace lms::storage {
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

S3Store::S3Store(S3Location location, sigv4::Credentials credentials, const Clock& clock, std::chrono::seconds timeout)
    : location_(std::move(location)), credentials_(std::move(credentials)), clock_(clock), timeout_(timeout) {
    checkLocation(location_);
}

void S3Store::checkKey(const std::string& key) const {
    if (!validKey(key)) throw std::invalid_argument("s3 store: invalid object key '" + key + "'");
}

S3Store::Answer S3Store::send(const S3Request& request, std::string_view body, const std::string& what) const {
    try {
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (request.https) {
            // The handshake verifies the chain and that the certificate names request.host.
            session = std::make_unique<Poco::Net::HTTPSClientSession>(request.host, request.port, tlsContext());
        } else {
            session = std::make_unique<Poco::Net::HTTPClientSession>(request.host, request.port);
        }
        session->setTimeout(Poco::Timespan(static_cast<long>(timeout_.count()), 0));
        Poco::Net::HTTPRequest out(request.method, request.target, Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : request.headers) out.set(name, value);
        out.setKeepAlive(false);  // one request per session
        if (request.method == "PUT") out.setContentLength(static_cast<std::streamsize>(body.size()));
        auto& stream = session->sendRequest(out);
        stream.write(body.data(), static_cast<std::streamsize>(body.size()));
        Poco::Net::HTTPResponse response;
        auto& in = session->receiveResponse(response);
        Answer answer{static_cast<int>(response.getStatus()), ""};
        Poco::StreamCopier::copyToString(in, answer.body);
        return answer;
    } catch (const Poco::Exception& e) {
        throw StorageError(what + ": " + e.displayText());
    }
}

void S3Store::fail(const std::string& what, const Answer& answer) const {
    const auto error = parseS3Error(answer.body);
    std::string message = what + ": HTTP " + std::to_string(answer.status);
    if (!error.code.empty()) message += " " + error.code;
    if (!error.message.empty()) message += ": " + error.message;
    throw StorageError(message);
}

void S3Store::put(const std::string& key, std::string_view bytes, const std::string& contentType) {
    checkKey(key);
    const auto request = putObjectRequest(location_, credentials_, key, bytes, contentType, clock_.nowSeconds());
    const auto what = "s3 PUT " + location_.bucket + "/" + key;
    const auto answer = send(request, bytes, what);
    if (answer.status != 200) fail(what, answer);
}

std::optional<std::string> S3Store::get(const std::string& key) {
    checkKey(key);
    const auto request = getObjectRequest(location_, credentials_, key, clock_.nowSeconds());
    const auto what = "s3 GET " + location_.bucket + "/" + key;
    auto answer = send(request, {}, what);
    if (answer.status == 200) return std::move(answer.body);
    if (answer.status == 404 && parseS3Error(answer.body).code == "NoSuchKey") return std::nullopt;
    fail(what, answer);
}

std::string S3Store::link(const std::string& key, std::int64_t nowUs, std::chrono::seconds ttl) {
    checkKey(key);
    return presignedGetUrl(location_, credentials_, key, nowUs / 1'000'000, ttl.count());
}

std::string S3Store::describe() const {
    return "s3 " + location_.endpoint + " bucket " + location_.bucket + " (" + location_.region + ", " +
           (location_.pathStyle ? "path-style" : "virtual-hosted") + ")";
}

}  // namespace lms::storage
