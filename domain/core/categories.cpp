#include "domain/core/categories.hpp"

#include <stdexcept>

namespace lms::domain {

std::string_view categoryOf(std::string_view streamId) { return streamId.substr(0, streamId.find('-')); }

void StreamCategories::add(StreamCategory c) {
    const auto [it, added] = byCategory_.emplace(std::string(c.category), std::string(c.context));
    if (!added && it->second != c.context) {
        throw std::invalid_argument("stream category '" + it->first + "' is claimed by both " + it->second + " and " +
                                    std::string(c.context));
    }
}

std::string StreamCategories::contextOf(std::string_view streamId) const {
    const auto category = categoryOf(streamId);
    if (const auto it = byCategory_.find(category); it != byCategory_.end()) return it->second;
    std::string out;
    for (char c : category) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        out.push_back(ok ? c : '_');
    }
    return out.empty() ? "misc" : out;
}

}  // namespace lms::domain
