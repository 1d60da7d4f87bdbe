#include "api/http/wire.hpp"

#include <array>
#include <cctype>
#include <chrono>
#include <ctime>

#include "api/http/problem.hpp"

namespace lms::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// field-value = *( field-vchar / SP / HTAB ), field-vchar = VCHAR (obs-text refused).
bool fieldValueOk(std::string_view v) {
    for (const char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (c != '\t' && (c < 0x20 || c > 0x7e)) return false;
    }
    return true;
}

}  // namespace

std::optional<Refusal> checkHead(const Head& head, std::size_t maxFields) {
    if (head.fields.size() > maxFields) {
        return Refusal{431, "more than " + std::to_string(maxFields) + " header fields"};
    }
    if (head.version != 10 && head.version != 11) return Refusal{400, "only HTTP/1.0 and HTTP/1.1 are served"};
    if (head.target.empty() || head.target.front() != '/') {
        return Refusal{400, "the request target must be a path (origin-form)"};
    }
    for (const char ch : head.target) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f) return Refusal{400, "the request target holds a byte that is not visible ASCII"};
    }
    int contentLengths = 0, transferEncodings = 0, hosts = 0;
    for (const auto& [name, value] : head.fields) {
        if (!fieldValueOk(value)) return Refusal{400, "a header value holds a control byte or a byte above 0x7E"};
        if (iequals(name, "content-length")) {
            ++contentLengths;
            if (value.empty() || value.size() > 18 || value.find_first_not_of("0123456789") != std::string::npos) {
                return Refusal{400, "Content-Length must be one decimal number"};
            }
        } else if (iequals(name, "transfer-encoding")) {
            ++transferEncodings;
            if (!iequals(value, "chunked")) return Refusal{400, "the only Transfer-Encoding served is chunked"};
        } else if (iequals(name, "host")) {
            ++hosts;
        }
    }
    if (contentLengths > 1) return Refusal{400, "Content-Length given more than once"};
    if (transferEncodings > 1) return Refusal{400, "Transfer-Encoding given more than once"};
    if (contentLengths == 1 && transferEncodings == 1) {
        return Refusal{400, "Content-Length and Transfer-Encoding together"};
    }
    if (head.version == 11 && hosts != 1) return Refusal{400, "an HTTP/1.1 request needs exactly one Host header"};
    if (hosts > 1) return Refusal{400, "Host given more than once"};
    return std::nullopt;
}

bool hasObsFold(std::string_view block) {
    // A line that starts with SP or HTAB after the request line continues the line before it.
    for (std::size_t at = block.find('\n'); at != std::string_view::npos && at + 1 < block.size();
         at = block.find('\n', at + 1)) {
        const char next = block[at + 1];
        if (next == ' ' || next == '\t') return true;
    }
    return false;
}

bool knownMethod(std::string_view m) {
    for (const std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
        if (m == known) return true;
    }
    return false;
}

bool canonicalPath(std::string_view path) {
    if (path.empty() || path.front() != '/') return false;
    if (path.size() == 1) return true;
    if (path.back() == '/') return false;
    std::size_t start = 1;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const auto segment = path.substr(start, end - start);
        if (segment.empty() || segment == "." || segment == "..") return false;
        start = end + 1;
    }
    return true;
}

std::string validUtf8(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        unsigned int cp = 0;
        if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) len = 2, cp = c & 0x1fu;
        else if (c >= 0xe0 && c <= 0xef) len = 3, cp = c & 0x0fu;
        else if (c >= 0xf0 && c <= 0xf4) len = 4, cp = c & 0x07u;
        bool ok = len != 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            ok = (cc & 0xc0u) == 0x80u;
            cp = (cp << 6u) | (cc & 0x3fu);
        }
        // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 either.
        ok = ok && !(len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) &&
             !(len == 4 && (cp < 0x10000 || cp > 0x10ffff));
        if (ok) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out += "\xef\xbf\xbd";
            ++i;
        }
    }
    return out;
}

namespace {

// "Tue, 01 Dec 2026 23:59:59 GMT", formatted once a second per thread.
const std::string& httpDate() {
    thread_local std::time_t cachedAt = 0;
    thread_local std::string cached;
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    if (now != cachedAt) {
        std::tm tm{};
        gmtime_r(&now, &tm);
        std::array<char, 40> buf{};
        const auto n = std::strftime(buf.data(), buf.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cached.assign(buf.data(), n);
        cachedAt = now;
    }
    return cached;
}

void header(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
}

}  // namespace

std::string serialise(const Response& r, std::string_view extra, bool keepAlive, bool headRequest) {
    std::string out;
    out.reserve(128 + extra.size() + r.body.size() + 64 * r.headers.size());
    out.append("HTTP/1.1 ");
    out.append(std::to_string(r.status));
    out.push_back(' ');
    out.append(reasonOf(r.status));
    out.append("\r\n");
    header(out, "Date", httpDate());
    if (!r.contentType.empty()) header(out, "Content-Type", r.contentType);
    // A 204 or 304 has no body and says nothing of its length (RFC 9110 §8.6).
    if (r.status != 204 && r.status != 304) header(out, "Content-Length", std::to_string(r.body.size()));
    out.append(extra);
    for (const auto& [k, v] : r.headers) header(out, k, v);
    if (!keepAlive) header(out, "Connection", "close");
    out.append("\r\n");
    if (!headRequest && r.status != 204 && r.status != 304) out.append(r.body);
    return out;
}

}  // namespace lms::http
