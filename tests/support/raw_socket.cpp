#include "tests/support/raw_socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace lms::test {
namespace {

using std::chrono::milliseconds;

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

// A response head ("HTTP/1.1 200 OK\r\nName: value\r\n..."), without the blank line.
std::optional<RawResponse> parseHead(std::string_view head) {
    if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) return std::nullopt;
    RawResponse r;
    r.status = std::atoi(std::string(head.substr(9, 3)).c_str());
    auto at = head.find("\r\n");
    while (at != std::string_view::npos) {
        const auto start = at + 2;
        at = head.find("\r\n", start);
        const auto line = head.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        r.headers.emplace_back(std::string(line.substr(0, colon)), trimmed(line.substr(colon + 1)));
    }
    return r;
}

}  // namespace

std::string RawResponse::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (equalsIgnoringCase(k, name)) return v;
    }
    return {};
}

bool RawResponse::hasHeader(std::string_view name) const {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return equalsIgnoringCase(h.first, name); });
}

RawConnection::RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd_);
        fd_ = -1;
        return;
    }
    // A server that stops reading must fail a send, not block the test for ever.
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

RawConnection::RawConnection(RawConnection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      received_(std::move(other.received_)),
      parsed_(other.parsed_),
      closed_(other.closed_),
      reset_(other.reset_) {}

RawConnection::~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::send(std::string_view bytes) {
    if (fd_ < 0) return false;
    while (!bytes.empty()) {
        // MSG_NOSIGNAL: writing to a connection the server closed is an answer here, not a SIGPIPE.
        const auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool RawConnection::drip(std::string_view bytes, milliseconds gap, const std::stop_token& stop) {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (stop.stop_requested() || !send(bytes.substr(i, 1))) return false;
        if (i + 1 == bytes.size()) break;
        // Sleep in slices so that a stop request ends the drip promptly.
        const auto next = std::chrono::steady_clock::now() + gap;
        while (std::chrono::steady_clock::now() < next) {
            if (stop.stop_requested()) return false;
            std::this_thread::sleep_for(std::min(milliseconds(10), gap));
        }
    }
    return true;
}

bool RawConnection::readSome(Deadline deadline) {
    if (fd_ < 0 || closed_) return false;
    for (;;) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(std::max<milliseconds::rep>(left.count(), 0)));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return false;
        char buf[8192];
        const auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n > 0) {
            received_.append(buf, static_cast<std::size_t>(n));
            return true;
        }
        closed_ = true;
        reset_ = n < 0 && errno == ECONNRESET;
        return false;
    }
}

std::optional<RawResponse> RawConnection::readResponse(Deadline deadline) {
    for (;;) {
        const bool last = closed_;  // nothing more can arrive: this parse is the last try
        const auto end = received_.find("\r\n\r\n", parsed_);
        if (end != std::string::npos) {
            auto r = parseHead(std::string_view(received_).substr(parsed_, end - parsed_));
            if (!r) return std::nullopt;  // not a response: the caller looks at received()
            const auto bodyAt = end + 4;
            const bool noBody = r->status / 100 == 1 || r->status == 204 || r->status == 304;
            const std::string length = r->header("Content-Length");
            if (!length.empty() && length.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
            if (noBody || !length.empty()) {
                const auto size = noBody ? 0 : std::stoul(length);
                if (received_.size() - bodyAt >= size) {
                    r->body = received_.substr(bodyAt, size);
                    parsed_ = bodyAt + size;
                    return r;
                }
            } else if (closed_) {
                r->body = received_.substr(bodyAt);
                parsed_ = received_.size();
                return r;
            }
        }
        if (last || (!readSome(deadline) && !closed_)) return std::nullopt;
    }
}

bool RawConnection::closedWithin(Deadline deadline) {
    while (!closed_) {
        if (!readSome(deadline) && !closed_) return false;
    }
    return true;
}

const std::string& RawConnection::readUntilClosed(Deadline deadline) {
    (void)closedWithin(deadline);
    return received_;
}

std::vector<int> statusCodes(std::string_view exchange) {
    // Anywhere, not only at the start of a line: a response follows the last byte of the body
    // before it, and bodies end without a line break.
    std::vector<int> codes;
    for (auto at = exchange.find("HTTP/1.1 "); at != std::string_view::npos; at = exchange.find("HTTP/1.1 ", at + 1)) {
        const auto code = exchange.substr(at + 9, 4);
        const auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
        if (code.size() == 4 && digit(code[0]) && digit(code[1]) && digit(code[2]) && code[3] == ' ') {
            codes.push_back(std::atoi(std::string(code.substr(0, 3)).c_str()));
        }
    }
    return codes;
}

std::size_t countStatusLines(std::string_view exchange) { return statusCodes(exchange).size(); }

std::string visible(std::string_view bytes) {
    std::string out;
    for (const char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else if (u < 0x20 || u > 0x7e || c == '\\') {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", u);
            out += hex;
        } else {
            out += c;
        }
    }
    return out;
}

std::string rawExchange(int port, const std::string& request) {
    RawConnection c(port);
    if (!c.send(request)) return {};
    return c.readUntilClosed(deadlineIn(milliseconds(5000)));
}

}  // namespace lms::test
