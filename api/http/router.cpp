#include "api/http/router.hpp"

#include "api/http/wire.hpp"

namespace lms::http {
namespace {

std::vector<std::string> split(const std::string& path) {
    std::vector<std::string> parts;
    parts.reserve(8);
    std::size_t i = 0;
    while (i < path.size()) {
        const auto j = path.find('/', i);
        const auto end = j == std::string::npos ? path.size() : j;
        if (end > i) parts.push_back(path.substr(i, end - i));
        i = end + 1;
    }
    return parts;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler, std::shared_ptr<RateLimiter> limit) {
    segments_.push_back(split(pattern));
    routes_.push_back({std::move(method), std::move(pattern), std::move(handler), std::move(limit)});
}

const Router::Route* Router::match(const std::string& method, const std::string& path,
                                   std::map<std::string, std::string>& params, bool& pathExists) const {
    pathExists = false;
    // Exactly the canonical form: "//metrics", "/metrics/", "/a//b" and "/a/./b" name no route,
    // so that a proxy's prefix rule in front of the server means what it says.
    if (!canonicalPath(path)) return nullptr;
    const auto parts = split(path);
    for (std::size_t k = 0; k < routes_.size(); ++k) {
        const auto& r = routes_[k];
        const auto& pat = segments_[k];
        if (pat.size() != parts.size()) continue;
        std::map<std::string, std::string> found;
        bool ok = true;
        for (std::size_t i = 0; i < pat.size() && ok; ++i) {
            if (pat[i].size() > 2 && pat[i].front() == '{' && pat[i].back() == '}') {
                found[pat[i].substr(1, pat[i].size() - 2)] = parts[i];
            } else {
                ok = pat[i] == parts[i];
            }
        }
        if (!ok) continue;
        pathExists = true;
        if (r.method == method) {
            params = std::move(found);
            return &r;
        }
    }
    return nullptr;
}

}  // namespace lms::http
