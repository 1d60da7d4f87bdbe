#include "api/http/cookies.hpp"

namespace lms::http {

std::map<std::string, std::string> cookiesOf(const Request& req) {
    std::map<std::string, std::string> out;
    const std::string& s = req.header("cookie");
    std::size_t i = 0;
    while (i < s.size()) {
        auto end = s.find(';', i);
        if (end == std::string::npos) end = s.size();
        std::string part = s.substr(i, end - i);
        part.erase(0, part.find_first_not_of(' '));
        const auto eq = part.find('=');
        if (eq != std::string::npos) out.emplace(part.substr(0, eq), part.substr(eq + 1));
        i = end + 1;
    }
    return out;
}

std::string setCookie(const std::string& name, const std::string& value, const CookieOptions& o) {
    std::string c = name + "=" + value + "; Path=" + o.path + "; Max-Age=" + std::to_string(o.maxAgeSeconds) +
                    "; SameSite=" + o.sameSite;
    if (o.httpOnly) c += "; HttpOnly";
    if (o.secure) c += "; Secure";
    return c;
}

}  // namespace lms::http
