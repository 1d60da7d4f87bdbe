// The framing rules and the request reader as values (api/http/wire.hpp, reader.hpp): every way
// one request could be read as two, or a body as a request, is refused before anything acts on
// it; a request split anywhere by the network reads the same. No sockets.
#include <gtest/gtest.h>

#include <string>

#include "api/http/pipeline.hpp"
#include "api/http/reader.hpp"
#include "api/http/wire.hpp"

namespace lms {
namespace {

using http::RequestReader;
using State = RequestReader::State;

http::Head head(std::vector<std::pair<std::string, std::string>> fields, int version = 11) {
    return http::Head{"POST", "/api/v1/echo/a", version, std::move(fields)};
}

std::optional<int> refusal(const http::Head& h) {
    const auto r = http::checkHead(h, 64);
    return r ? std::optional<int>(r->status) : std::nullopt;
}

// Feeds the bytes `step` at a time (0: at once) and returns the reader's state at the end, with
// the body when complete.
struct Read {
    State state;
    int status = 0;
    std::string body;
    std::size_t used = 0;
};
Read readAll(const std::string& bytes, std::size_t step = 0, RequestReader::Limits limits = {}) {
    RequestReader reader(limits);
    std::string pending;
    std::size_t given = 0, used = 0;
    for (;;) {
        const auto n = reader.feed(pending);
        pending.erase(0, n);
        used += n;
        if (reader.state() == State::HeadReady) {
            reader.readBody();
            continue;
        }
        if (reader.state() == State::Complete) return {State::Complete, 0, reader.takeBody(), used};
        if (reader.state() == State::Failed) return {State::Failed, reader.failure().status, "", used};
        if (given == bytes.size()) return {reader.state(), 0, "", used};
        const auto k = step == 0 ? bytes.size() - given : std::min(step, bytes.size() - given);
        pending.append(bytes, given, k);
        given += k;
    }
}

}  // namespace

TEST(HttpWire, TheHeadRulesRefuseEveryAmbiguousLength) {
    EXPECT_EQ(refusal(head({{"Host", "x"}, {"Content-Length", "2"}})), std::nullopt);
    EXPECT_EQ(refusal(head({{"Host", "x"}, {"Transfer-Encoding", "Chunked"}})), std::nullopt);
    for (const char* cl : {"+2", "-1", "0x2", "2, 2", " ", "2 2", "99999999999999999999"}) {
        EXPECT_EQ(refusal(head({{"Host", "x"}, {"Content-Length", cl}})), 400) << cl;
    }
    EXPECT_EQ(refusal(head({{"Host", "x"}, {"Content-Length", "2"}, {"content-length", "2"}})), 400);
    for (const char* te : {"gzip", "gzip, chunked", "identity", "chunked, chunked", "chunked;q=1"}) {
        EXPECT_EQ(refusal(head({{"Host", "x"}, {"Transfer-Encoding", te}})), 400) << te;
    }
    EXPECT_EQ(refusal(head({{"Host", "x"}, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}})), 400);
    EXPECT_EQ(refusal(head({{"Host", "x"}, {"Content-Length", "2"}, {"Transfer-Encoding", "chunked"}})), 400);
}

TEST(HttpWire, TheHeadRulesRefuseBytesOutsideVisibleAsciiAndAMissingHost) {
    for (const std::string& v :
         {std::string("a\xff"), std::string("\x01"), std::string("a\x7f"), std::string("caf\xc3\xa9")}) {
        EXPECT_EQ(refusal(head({{"Host", "x"}, {"X-A", v}})), 400);
    }
    EXPECT_EQ(refusal(head({{"Host", "x"}, {"X-A", "tab\tand space ok"}})), std::nullopt);
    EXPECT_EQ(refusal(head({})), 400) << "HTTP/1.1 without Host";
    EXPECT_EQ(refusal(head({{"Host", "x"}, {"Host", "y"}})), 400);
    EXPECT_EQ(refusal(head({}, 10)), std::nullopt) << "HTTP/1.0 needs no Host";
    EXPECT_EQ(refusal(http::Head{"GET", "http://x/a", 11, {{"Host", "x"}}}), 400) << "absolute-form";
    EXPECT_EQ(refusal(http::Head{"GET", "/caf\xc3\xa9", 11, {{"Host", "x"}}}), 400);
    std::vector<std::pair<std::string, std::string>> many{{"Host", "x"}};
    for (int i = 0; i < 64; ++i) many.emplace_back("X-" + std::to_string(i), "v");
    EXPECT_EQ(refusal(head(many)), 431);
}

TEST(HttpWire, ObsFoldIsFoundInTheRawBlock) {
    EXPECT_TRUE(http::hasObsFold("GET / HTTP/1.1\r\nX-A: a\r\n b\r\n"));
    EXPECT_TRUE(http::hasObsFold("GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n"));
    EXPECT_FALSE(http::hasObsFold("GET / HTTP/1.1\r\nX-A: a b\r\n"));
}

TEST(HttpWire, CanonicalPathsOnly) {
    for (const char* ok : {"/", "/metrics", "/api/v1/users/me", "/a/%2e%2e"})
        EXPECT_TRUE(http::canonicalPath(ok)) << ok;
    for (const char* bad : {"", "metrics", "//metrics", "/metrics/", "/api//v1", "/api/./v1", "/api/../v1", "/.."}) {
        EXPECT_FALSE(http::canonicalPath(bad)) << bad;
    }
}

TEST(HttpWire, EchoedBytesBecomeValidUtf8) {
    EXPECT_EQ(http::validUtf8("caf\xc3\xa9"), "caf\xc3\xa9");
    EXPECT_EQ(http::validUtf8("a\xff\xfe"), "a\xef\xbf\xbd\xef\xbf\xbd");
    EXPECT_EQ(http::validUtf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd") << "an overlong '/'";
    EXPECT_EQ(http::validUtf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") << "a surrogate";
    EXPECT_EQ(http::validUtf8("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
}

TEST(HttpWire, AResponseIsOneBufferWithItsLengthAndClose) {
    const http::Response r{201, "application/json", R"({"a":1})", {{"Location", "/x"}}};
    const auto bytes = http::serialise(r, "X-Request-Id: r1\r\n", false, false);
    EXPECT_EQ(bytes.rfind("HTTP/1.1 201 Created\r\nDate: ", 0), 0u) << bytes;
    EXPECT_NE(bytes.find("\r\nContent-Length: 7\r\n"), std::string::npos);
    EXPECT_NE(bytes.find("\r\nLocation: /x\r\n"), std::string::npos);
    EXPECT_NE(bytes.find("\r\nConnection: close\r\n\r\n{\"a\":1}"), std::string::npos) << bytes;
    const auto head = http::serialise(r, {}, true, true);
    EXPECT_NE(head.find("Content-Length: 7\r\n"), std::string::npos);
    EXPECT_EQ(head.find("{\"a\":1}"), std::string::npos) << "HEAD has no body";
    const auto empty = http::serialise(http::Response{204, "", "", {}}, {}, true, false);
    EXPECT_EQ(empty.find("Content-Length"), std::string::npos) << empty;
}

TEST(HttpWire, TheReaderReadsTheSameRequestHoweverTheBytesArrive) {
    const std::string chunked =
        "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n";
    const std::string sized = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
    for (std::size_t step : {0, 1, 2, 3, 4, 5, 7}) {
        const auto c = readAll(chunked, step);
        EXPECT_EQ(c.state, State::Complete) << step;
        EXPECT_EQ(c.body, "{\"a\":1}") << step;
        const auto s = readAll(sized, step);
        EXPECT_EQ(s.state, State::Complete) << step;
        EXPECT_EQ(s.body, "{\"a\":1}") << step;
    }
    // No Content-Length and no Transfer-Encoding: the body is empty, the request complete.
    EXPECT_EQ(readAll("POST /a HTTP/1.1\r\nHost: x\r\n\r\n").state, State::Complete);
    // A pipelined request is left for the next reading.
    const auto first = readAll(sized + "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_EQ(first.used, sized.size());
}

TEST(HttpWire, TheReaderRefusesObsFoldAndOversizeWhateverTheSplit) {
    for (std::size_t step : {0, 1, 3}) {
        EXPECT_EQ(readAll("GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", step).status, 400) << step;
        EXPECT_EQ(readAll("GET / HTTP/1.1\r\nHost: x\r\nX-A: \xff\r\n\r\n", step).status, 400) << step;
        EXPECT_EQ(readAll("GET / HTTP/1.1\r\nHost: x\r\nX-A: " + std::string(20000, 'a') + "\r\n\r\n", step).status, 431)
            << step;
    }
    RequestReader::Limits small;
    small.maxBodyBytes = 16;
    EXPECT_EQ(readAll("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n", 0, small).status, 413);
    EXPECT_EQ(readAll("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n11\r\n" + std::string(17, 'a') +
                          "\r\n0\r\n\r\n",
                      0, small)
                  .status,
              413);
    // An endless chunk extension is bounded like a head.
    small.maxHeaderBytes = 1024;
    EXPECT_EQ(readAll("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;" + std::string(2000, 'a'), 0,
                      small)
                  .status,
              400);
}

TEST(HttpWire, ThePipelineAnswersBeforeTheBodyWhenTheRequestEndsThere) {
    auto router = std::make_shared<http::Router>();
    router->add("POST", "/api/v1/echo/{name}", [](http::Request& r) {
        return http::Response{200, "text/plain", r.body, {}};
    });
    router->add("GET", "/metrics", [](http::Request&) { return http::Response{200, "text/plain", "m", {}}; });
    http::Policy policy;
    policy.metricsToken = "0123456789abcdef0123";
    const http::Pipeline p(router, policy);
    auto admit = [&](const http::Head& h) {
        http::Exchange x;
        auto early = p.admit(x, h, "127.0.0.1");
        return early ? early->status : 0;
    };
    EXPECT_EQ(admit({"POST", "/api/v1/echo/a", 11, {{"Host", "x"}}}), 0);
    EXPECT_EQ(admit({"GET", "/api/v1/echo/a", 11, {{"Host", "x"}}}), 405);
    EXPECT_EQ(admit({"GET", "/api/v1/./echo", 11, {{"Host", "x"}}}), 404);
    EXPECT_EQ(admit({"BREW", "/api/v1/echo/a", 11, {{"Host", "x"}}}), 501);
    EXPECT_EQ(admit({"GET", "/metrics", 11, {{"Host", "x"}}}), 401);
    EXPECT_EQ(admit({"GET", "/metrics", 11, {{"Host", "x"}, {"Authorization", "Bearer 0123456789abcdef0123"}}}), 0);
    EXPECT_EQ(admit({"OPTIONS", "/api/v1/echo/a", 11, {{"Host", "x"}, {"Access-Control-Request-Method", "POST"}}}), 204);
}

}  // namespace lms
