#include "api/http/message.hpp"

namespace lms::http {

const std::string& Request::header(const std::string& lowerCaseName) const {
    static const std::string kNone;
    const auto it = headers.find(lowerCaseName);
    return it == headers.end() ? kNone : it->second;
}

bool unsafeMethod(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

}  // namespace lms::http
