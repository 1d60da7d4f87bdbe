#include "api/http/reader.hpp"

#include <utility>  // before Beast: Boost 1.74 uses std::exchange without including it (g++ 12, C++20)

// Beast's parser is instantiated in this file only. Its internal assertions are off even in the
// debug build: 1.74 asserts `n >= 5` on a final chunk that a client can deliver in pieces of 3 or
// 4 bytes (boostorg/beast#2861, fixed upstream in 2024: the code after the assertion is right and
// asks for more bytes), so the assertion would let any client abort a debug server. Found by
// tests/fuzz/wire_fuzz.cpp.
#define BOOST_DISABLE_ASSERTS

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/optional.hpp>

namespace lms::http {

namespace bhttp = boost::beast::http;

struct RequestReader::Parser {
    bhttp::request_parser<bhttp::string_body> p;
};

RequestReader::RequestReader(Limits limits) : limits_(limits) { reset(); }
RequestReader::~RequestReader() = default;

void RequestReader::reset() {
    parser_ = std::make_unique<Parser>();
    parser_->p.header_limit(static_cast<std::uint32_t>(limits_.maxHeaderBytes));
    parser_->p.body_limit(boost::optional<std::uint64_t>(limits_.maxBodyBytes));
    parser_->p.eager(false);  // stop after the head: the server decides before it reads a body
    state_ = State::Start;
    head_ = Head{};
    failure_ = Refusal{};
}

void RequestReader::fail(int status, std::string reason) {
    state_ = State::Failed;
    failure_ = Refusal{status, std::move(reason)};
}

std::size_t RequestReader::feed(std::string_view data) {
    if (state_ == State::Failed || state_ == State::Complete || state_ == State::HeadReady || data.empty()) return 0;
    auto& p = parser_->p;
    const bool inHead = !p.is_header_done();
    if (inHead) {
        // Beast waits for the whole head before it parses any of it, so the block is all in `data`
        // when it finishes: look at the raw lines first for what its parser folds silently.
        const auto end = data.find("\r\n\r\n");
        if (end != std::string_view::npos && hasObsFold(data.substr(0, end + 2))) {
            fail(400, "a header field is continued on the next line (obs-fold)");
            return 0;
        }
    }
    boost::beast::error_code ec;
    const std::size_t used = p.put(boost::asio::const_buffer(data.data(), data.size()), ec);
    if (ec == bhttp::error::need_more) {
        state_ = State::Partial;
        // Beast 1.74 keeps a chunk's header line and the trailer unconsumed until they end, with
        // no bound of its own: an endless chunk extension would grow the connection's buffer.
        if (!inHead && data.size() - used > limits_.maxHeaderBytes) {
            fail(400, "a chunk header or the trailer exceeds " + std::to_string(limits_.maxHeaderBytes) + " bytes");
        }
        return used;
    }
    if (ec == bhttp::error::header_limit) {
        fail(431, "the request line and headers exceed " + std::to_string(limits_.maxHeaderBytes) + " bytes");
        return used;
    }
    if (ec == bhttp::error::body_limit) {
        fail(413, "the body exceeds " + std::to_string(limits_.maxBodyBytes) + " bytes");
        return used;
    }
    if (ec) {
        fail(400, "the request is malformed (" + ec.message() + ")");
        return used;
    }
    if (inHead && p.is_header_done()) {
        const auto& req = p.get();
        head_.method = std::string(req.method_string());
        head_.target = std::string(req.target());
        head_.version = static_cast<int>(req.version());
        head_.fields.reserve(16);
        for (const auto& f : req) head_.fields.emplace_back(std::string(f.name_string()), std::string(f.value()));
        if (auto refused = checkHead(head_, limits_.maxFields)) {
            fail(refused->status, std::move(refused->reason));
            return used;
        }
        state_ = State::HeadReady;
        return used;
    }
    state_ = p.is_done() ? State::Complete : State::Partial;
    return used;
}

void RequestReader::readBody() {
    if (state_ != State::HeadReady) return;
    parser_->p.eager(true);
    state_ = parser_->p.is_done() ? State::Complete : State::Partial;
}

bool RequestReader::bodyAnnounced() const {
    const auto& p = parser_->p;
    if (!p.is_header_done()) return false;
    if (p.chunked()) return true;
    const auto n = p.content_length();
    return n && *n > 0;
}

bool RequestReader::expectsContinue() const {
    const auto& req = parser_->p.get();
    const auto it = req.find(bhttp::field::expect);
    if (it == req.end()) return false;
    const auto v = it->value();
    if (v.size() != 12) return false;
    std::string lower(v.data(), v.size());
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return lower == "100-continue";
}

bool RequestReader::keepAlive() const { return parser_->p.is_header_done() && parser_->p.keep_alive(); }

std::string RequestReader::takeBody() { return std::move(parser_->p.get().body()); }

}  // namespace lms::http
