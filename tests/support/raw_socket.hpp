#pragma once
// A raw TCP client to 127.0.0.1 for the tests that send what no HTTP library would: bytes dripped
// one at a time, malformed framing, smuggled or pipelined requests. Blocking, and every read is
// bounded by a deadline, so that a server that hangs fails the test instead of hanging it.
#include <chrono>
#include <cstddef>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lms::test {

using Deadline = std::chrono::steady_clock::time_point;

inline Deadline deadlineIn(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

// One HTTP/1.1 response as it came off the wire.
struct RawResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
    std::string body;
    // The first header of that name (case-insensitive), or "" when there is none.
    std::string header(std::string_view name) const;
    bool hasHeader(std::string_view name) const;
};

class RawConnection {
public:
    // Connects to 127.0.0.1:port; connected() says whether that worked.
    explicit RawConnection(int port);
    ~RawConnection();
    RawConnection(const RawConnection&) = delete;
    RawConnection& operator=(const RawConnection&) = delete;
    RawConnection(RawConnection&& other) noexcept;
    RawConnection& operator=(RawConnection&&) = delete;

    bool connected() const { return fd_ >= 0; }
    // Sends every byte; false once the peer has closed or reset the connection.
    bool send(std::string_view bytes);
    // Sends one byte, then waits `gap` before the next; false when a send fails or stop is
    // requested before the last byte. Safe to run on another thread while this one reads.
    bool drip(std::string_view bytes, std::chrono::milliseconds gap, const std::stop_token& stop = {});
    // Waits for bytes until the deadline and appends them to received(); false when none came
    // (the deadline passed, or the peer closed: see closed()).
    bool readSome(Deadline deadline);
    // Parses the next response out of what was received, reading until it is complete: status
    // line, headers, and a Content-Length body (none for 1xx, 204 and 304; to the close when
    // there is no Content-Length). Bytes after it stay for the next call. nullopt when no whole
    // response came before the deadline or the close.
    std::optional<RawResponse> readResponse(Deadline deadline);
    // True when the peer closes (EOF or reset) before the deadline. Bytes that arrive meanwhile
    // are not parsed; they stay in received() for countStatusLines.
    bool closedWithin(Deadline deadline);
    // Reads until the peer closes or the deadline passes; returns everything received.
    const std::string& readUntilClosed(Deadline deadline);

    bool closed() const { return closed_; }
    bool wasReset() const { return reset_; }  // the close was a reset (ECONNRESET), not an EOF
    // Every byte received on this connection, parsed or not.
    const std::string& received() const { return received_; }

private:
    int fd_ = -1;
    std::string received_;
    std::size_t parsed_ = 0;  // where the next readResponse starts
    bool closed_ = false;
    bool reset_ = false;
};

// How many HTTP/1.1 status lines ("HTTP/1.1 NNN ") an exchange holds: a server that parsed an
// unread body as a second request answered twice.
std::size_t countStatusLines(std::string_view exchange);
// The status codes of those lines, in order ({404, 200}: the second answered the smuggled request).
std::vector<int> statusCodes(std::string_view exchange);

// The bytes with CR, LF and anything outside printable ASCII written as \r, \n, \xNN: for
// failure messages.
std::string visible(std::string_view bytes);

// Sends raw bytes (with Connection: close) on a connection of its own and returns everything the
// server answers within 5 s.
std::string rawExchange(int port, const std::string& request);

}  // namespace lms::test
