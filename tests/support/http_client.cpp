#include "tests/support/http_client.hpp"

#include <algorithm>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

namespace lms::test {

std::string Reply::header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
        if (Poco::icompare(k, name) == 0) return v;
    }
    return {};
}

bool Reply::hasHeader(const std::string& name) const {
    for (const auto& [k, v] : headers) {
        if (Poco::icompare(k, name) == 0) return true;
    }
    return false;
}

std::string Reply::setCookie(const std::string& name) const {
    for (const auto& c : setCookies) {
        if (c.rfind(name + "=", 0) == 0) return c;
    }
    return {};
}

std::string Reply::cookie(const std::string& name) const {
    const auto line = setCookie(name);
    if (line.empty()) return {};
    const auto value = line.substr(name.size() + 1);
    return value.substr(0, value.find(';'));
}

Reply call(int port, const std::string& method, const std::string& path, const std::optional<nlohmann::json>& body,
           const Headers& headers, const std::string& rawBody) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : headers) req.set(k, v);
    const std::string payload = body ? body->dump() : rawBody;
    if (body || !rawBody.empty()) {
        if (!req.has("Content-Type")) req.setContentType("application/json");
        req.setContentLength(static_cast<std::streamsize>(payload.size()));
    }
    session.sendRequest(req) << payload;
    Poco::Net::HTTPResponse res;
    auto& in = session.receiveResponse(res);
    Reply r;
    r.status = res.getStatus();
    r.contentType = res.getContentType();
    Poco::StreamCopier::copyToString(in, r.raw);
    r.body = nlohmann::json::parse(r.raw, nullptr, false);
    for (const auto& [k, v] : res) {
        r.headers.emplace_back(k, v);
        if (Poco::icompare(k, "Set-Cookie") == 0) r.setCookies.push_back(v);
    }
    return r;
}

Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

std::vector<std::string> fieldsOf(const Reply& r) {
    std::vector<std::string> out;
    if (r.body.is_object() && r.body.contains("errors")) {
        for (const auto& e : r.body["errors"]) out.push_back(e["field"]);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace lms::test
