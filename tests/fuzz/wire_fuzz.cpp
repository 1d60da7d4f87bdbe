// libFuzzer target: whatever bytes a client sends reach the request reader (Beast's parser and
// the framing rules of api/http/wire.hpp) without a crash, a hang or undefined behaviour, and the
// reader keeps its promises: a head it lets through passes every framing rule, a body is never
// over the limit, a refusal is 400, 413 or 431, and the bytes mean the same requests however the
// network splits them (the first input byte picks the split; a second reading feeds one byte at a
// time), so that no two readings of one stream disagree about where a request ends.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/http/reader.hpp"
#include "api/http/wire.hpp"

namespace {

using lms::http::RequestReader;

constexpr RequestReader::Limits kLimits{1024, 16, 256};

struct Outcome {
    std::string method, target, body;
    std::vector<std::pair<std::string, std::string>> fields;
    int refused = 0;
    bool operator==(const Outcome&) const = default;
};

// Reads every request the bytes hold, feeding them `step` bytes at a time (0: all at once).
std::vector<Outcome> readAll(std::string_view bytes, std::size_t step) {
    std::vector<Outcome> out;
    RequestReader reader(kLimits);
    std::string pending;
    std::size_t given = 0;
    for (int guard = 0; guard < 100000; ++guard) {
        const auto used = reader.feed(pending);
        pending.erase(0, used);
        switch (reader.state()) {
            case RequestReader::State::Failed: {
                const int s = reader.failure().status;
                if (s != 400 && s != 413 && s != 431) __builtin_trap();
                out.push_back(Outcome{{}, {}, {}, {}, s});
                return out;
            }
            case RequestReader::State::HeadReady: {
                if (lms::http::checkHead(reader.head(), kLimits.maxFields)) __builtin_trap();
                reader.readBody();
                continue;
            }
            case RequestReader::State::Complete: {
                Outcome o{reader.head().method, reader.head().target, reader.takeBody(), reader.head().fields, 0};
                if (o.body.size() > kLimits.maxBodyBytes) __builtin_trap();
                out.push_back(std::move(o));
                reader.reset();
                continue;
            }
            case RequestReader::State::Start:
            case RequestReader::State::Partial:
                if (given == bytes.size()) {  // the stream ends inside a request
                    if (reader.state() == RequestReader::State::Partial) out.push_back(Outcome{{}, {}, {}, {}, -1});
                    return out;
                }
                const std::size_t n = step == 0 ? bytes.size() - given : std::min(step, bytes.size() - given);
                pending.append(bytes.substr(given, n));
                given += n;
                continue;
        }
    }
    __builtin_trap();  // a reader that neither progresses nor asks for more would hang a connection
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::size_t step = data[0] % 8;
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto whole = readAll(bytes, 0);
    const auto split = readAll(bytes, step == 0 ? 1 : step);
    // Same requests, same bodies, and a refusal at the same place. Only
    // where the stream ends inside a request (-1) may one reading already have refused what the
    // other is still waiting to see the end of.
    if (whole.size() != split.size()) __builtin_trap();
    for (std::size_t i = 0; i < whole.size(); ++i) {
        // Which status a refusal gets may differ (a head over the limit that also holds a bad field
        // is 400 or 431 depending on what had arrived), not whether there is one.
        const int a = whole[i].refused, b = split[i].refused;
        const bool last = i + 1 == whole.size();
        const bool bothRefused = a > 0 && b > 0;
        if (a != b && !bothRefused && !(last && (a == -1 || b == -1) && a != 0 && b != 0)) __builtin_trap();
        if (a == 0 && b == 0 && !(whole[i] == split[i])) __builtin_trap();
    }
    // What is echoed back is valid UTF-8 however it arrived.
    const auto clean = lms::http::validUtf8(bytes);
    if (lms::http::validUtf8(clean) != clean) __builtin_trap();
    (void)lms::http::canonicalPath(bytes);
    return 0;
}
