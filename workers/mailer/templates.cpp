#include "workers/mailer/templates.hpp"

#include <stdexcept>

#include "common/html.hpp"

namespace lms::mailer {
namespace {

// RFC 5322 wants CRLF line ends; template files are kept with LF.
std::string withCrlf(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 40);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out += '\r';
        out += s[i];
    }
    return out;
}

const std::string& file(const std::string& name) {
    const auto& all = embeddedTemplates();
    const auto it = all.find(name);
    if (it == all.end()) throw std::out_of_range("no mail template " + name);
    return it->second;
}

}  // namespace

std::string render(std::string_view tpl, const std::map<std::string, std::string>& values, Escape escape) {
    std::string out;
    out.reserve(tpl.size());
    std::size_t at = 0;
    for (;;) {
        const auto open = tpl.find("{{", at);
        if (open == std::string_view::npos) break;
        const auto close = tpl.find("}}", open + 2);
        if (close == std::string_view::npos) throw std::invalid_argument("unclosed {{ in a mail template");
        const std::string name(tpl.substr(open + 2, close - open - 2));
        const auto it = values.find(name);
        if (it == values.end()) throw std::invalid_argument("no value for {{" + name + "}} in a mail template");
        out.append(tpl.substr(at, open - at));
        out += escape == Escape::Html ? escapeHtml(it->second) : it->second;
        at = close + 2;
    }
    out.append(tpl.substr(at));
    return out;
}

RenderedMail renderMail(const std::string& name, const std::map<std::string, std::string>& values) {
    const std::string& text = file(name + ".txt");
    constexpr std::string_view kSubject = "Subject: ";
    const auto eol = text.find('\n');
    if (text.rfind(kSubject, 0) != 0 || eol == std::string::npos) {
        throw std::invalid_argument("mail template " + name + ".txt must start with a Subject: line");
    }
    RenderedMail m;
    m.subject = render(std::string_view(text).substr(kSubject.size(), eol - kSubject.size()), values, Escape::None);
    // A value must not break the header onto a new line (header injection): controls become spaces.
    for (char& ch : m.subject) {
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = ' ';
    }
    std::string_view body = std::string_view(text).substr(eol + 1);
    if (!body.empty() && body.front() == '\n') body.remove_prefix(1);
    m.text = withCrlf(render(body, values, Escape::None));
    m.html = withCrlf(render(file(name + ".html"), values, Escape::Html));
    return m;
}

}  // namespace lms::mailer
