#pragma once
// Cookies: the Cookie header read into name → value, and Set-Cookie lines built.
#include <map>
#include <string>

#include "api/http/message.hpp"

namespace lms::http {

std::map<std::string, std::string> cookiesOf(const Request& req);

struct CookieOptions {
    std::string path = "/";
    int maxAgeSeconds = 0;  // 0 with an empty value: the browser drops the cookie
    bool httpOnly = true;
    bool secure = true;
    std::string sameSite = "Lax";
};
// "name=value; Path=/; Max-Age=900; SameSite=Lax; HttpOnly; Secure"
std::string setCookie(const std::string& name, const std::string& value, const CookieOptions& options);

}  // namespace lms::http
