#include "api/http/query.hpp"

#include <charconv>

#include "api/http/wire.hpp"
#include "domain/core/text.hpp"

namespace lms::http {
namespace {

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string urlDecode(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

Query::Query(const std::string& raw) {
    std::size_t i = 0;
    while (i < raw.size()) {
        auto end = raw.find('&', i);
        if (end == std::string::npos) end = raw.size();
        const std::string part = raw.substr(i, end - i);
        const auto eq = part.find('=');
        if (!part.empty()) {
            values_[urlDecode(part.substr(0, eq))] = eq == std::string::npos ? "" : urlDecode(part.substr(eq + 1));
        }
        i = end + 1;
    }
}

std::optional<std::string> Query::text(const std::string& name, std::size_t maxCharacters) {
    const auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    if (auto p = domain::text::problem(it->second, 0, maxCharacters)) {
        errors.push_back({name, std::move(*p)});
    } else if (validUtf8(it->second) != it->second) {
        // Percent-escapes can spell any bytes; what is not UTF-8 cannot be text.
        errors.push_back({name, "must be UTF-8 text"});
    }
    return it->second;
}

int Query::integer(const std::string& name, int fallback, int lo, int hi) {
    const auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return fallback;
    int v = 0;
    const auto& s = it->second;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || v < lo || v > hi) {
        errors.push_back({name, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi)});
        return fallback;
    }
    return v;
}

std::optional<std::string> Query::oneOf(const std::string& name, std::initializer_list<const char*> allowed) {
    const auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    std::string list;
    for (const char* a : allowed) {
        if (it->second == a) return it->second;
        list += list.empty() ? a : std::string(", ") + a;
    }
    const auto last = list.rfind(", ");
    if (last != std::string::npos) list.replace(last, 2, " or ");
    errors.push_back({name, "must be " + list});
    return std::nullopt;
}

PageRequest Query::paging() {
    PageRequest p;
    p.page = integer("page", 1, 1, 1000000);
    p.limit = integer("limit", 20, 1, 100);
    return p;
}

nlohmann::json listBody(nlohmann::json items, std::int64_t totalItems, const PageRequest& page) {
    return {{"items", std::move(items)},
            {"meta",
             {{"totalItems", totalItems},
              {"itemsPerPage", page.limit},
              {"totalPages", (totalItems + page.limit - 1) / page.limit},
              {"currentPage", page.page}}}};
}

}  // namespace lms::http
