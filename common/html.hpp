#pragma once
// Text put into HTML (a mail's HTML part, the verification and checkout pages): the five
// characters that could end a text node or an attribute value, replaced by their references.
#include <string>
#include <string_view>

namespace lms {

inline std::string escapeHtml(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char ch : s) {
        switch (ch) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += ch;
        }
    }
    return out;
}

}  // namespace lms
