#pragma once
// The bytes on the wire, as pure functions: the framing rules a request head must meet before
// anything acts on it (RFC 9112, stricter where the RFC lets a server choose), and the response
// written as one buffer. No sockets here; api/http/reader.* and the transport call these, and
// tests/fuzz/wire_fuzz.cpp drives them with arbitrary bytes. docs/decisions/0010-http-server.md.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http/message.hpp"

namespace lms::http {

// A request's head as parsed, before any policy: every field as received, in order, duplicates kept.
struct Head {
    std::string method;
    std::string target;
    int version = 11;  // 10 or 11
    std::vector<std::pair<std::string, std::string>> fields;
};

// Why a head is refused: the status (400 or 431) and a one-line reason for the client.
struct Refusal {
    int status = 400;
    std::string reason;
};

// The framing rules, every one a way one request could be read as two or a body as a request:
// field values of HTAB, SP and visible ASCII only (no obs-text, no control bytes); at most
// `maxFields` fields (431); at most one Content-Length, digits only (no sign, no list, no hex);
// Transfer-Encoding absent or exactly one `chunked`; never both; HTTP/1.1 with exactly one Host;
// an origin-form target of visible ASCII. nullopt when the head may go on.
std::optional<Refusal> checkHead(const Head& head, std::size_t maxFields);

// True when the header block (request line to the empty line) continues a field on the next line
// (obs-fold, RFC 9112 §5.2): refused rather than folded, so that no two readers disagree.
bool hasObsFold(std::string_view headerBlock);

// True for the methods the server implements (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS);
// any other token is answered 501 without being echoed.
bool knownMethod(std::string_view method);

// A path the router may see: starts with '/', no empty segment (`//`), no trailing slash except
// the root, no `.` or `..` segment. Anything else is 404, so that a proxy's prefix rule in front
// means what it says.
bool canonicalPath(std::string_view path);

// `text` with every byte sequence that is not UTF-8 replaced by U+FFFD: for echoing client bytes
// in JSON.
std::string validUtf8(std::string_view text);

// The whole response as one buffer: status line, Date, Content-Type, Content-Length, `extra`
// (header lines already written as "Name: value\r\n": security, CORS, request id), the
// response's own headers, `Connection: close` when the connection ends after it, then the body
// (left out for HEAD, its length kept).
std::string serialise(const Response& response, std::string_view extra, bool keepAlive, bool headRequest);

}  // namespace lms::http
