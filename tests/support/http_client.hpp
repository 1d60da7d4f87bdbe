#pragma once
// The tests' HTTP client: one request on a connection of its own to 127.0.0.1, the whole reply
// kept (status, headers, cookies, the body raw and parsed).
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lms::test {

struct Reply {
    int status = 0;
    nlohmann::json body;  // the body parsed; is_discarded() when it is not JSON
    std::string raw;      // the body as received
    std::string contentType;
    std::vector<std::pair<std::string, std::string>> headers;  // every header, as received
    std::vector<std::string> setCookies;                       // every Set-Cookie line

    // The first header of that name (case-insensitive), or "" when there is none.
    std::string header(const std::string& name) const;
    bool hasHeader(const std::string& name) const;
    // The Set-Cookie line of the named cookie ("name=value; Path=...; HttpOnly"), or "".
    std::string setCookie(const std::string& name) const;
    // The value the Set-Cookie line gives the named cookie, or "".
    std::string cookie(const std::string& name) const;
};

using Headers = std::map<std::string, std::string>;

// Sends `method path` with the headers. A JSON body is sent serialised, rawBody as it is; either
// goes as application/json unless the headers name a Content-Type.
Reply call(int port, const std::string& method, const std::string& path,
           const std::optional<nlohmann::json>& body = std::nullopt, const Headers& headers = {},
           const std::string& rawBody = "");

// The fields a problem's errors[] names, sorted (a 422 names each field at fault once).
std::vector<std::string> fieldsOf(const Reply& r);

// {"Authorization": "Bearer <token>"}
Headers bearer(const std::string& token);

}  // namespace lms::test
