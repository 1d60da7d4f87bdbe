#pragma once
// A request as handlers see it, and the response they give back: plain values, no sockets.
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lms::http {

struct Request {
    std::string method;
    std::string path;
    std::string query;
    std::map<std::string, std::string> params;   // path parameters
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    std::string requestId;
    std::string clientIp;
    // The header's value, or empty when it is absent.
    const std::string& header(const std::string& lowerCaseName) const;
};

struct Response {
    int status = 200;
    std::string contentType = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<Response(Request&)>;

// True for the methods that change something (and so need CSRF proof under cookie auth).
bool unsafeMethod(const std::string& method);

}  // namespace lms::http
