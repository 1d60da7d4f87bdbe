#include "common/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace lms::log {
namespace {

thread_local std::string tCorrelation;

// One JSON object per line: ts, level, logger, msg and, when set, correlationId.
class JsonFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        nlohmann::json j;
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
        j["ts"] = ms;
        j["level"] = std::string(spdlog::level::to_string_view(msg.level).data(),
                                 spdlog::level::to_string_view(msg.level).size());
        j["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
        j["msg"] = std::string(msg.payload.data(), msg.payload.size());
        if (!tCorrelation.empty()) j["correlationId"] = tCorrelation;
        const std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
        dest.append(line.data(), line.data() + line.size());
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

// Plain lines get the correlation id in brackets when there is one.
class CorrelationFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
        if (tCorrelation.empty()) return;
        dest.push_back('[');
        dest.append(tCorrelation.data(), tCorrelation.data() + tCorrelation.size());
        dest.append(std::string_view("] "));
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<CorrelationFlag>(); }
};

// The message, escaped (printable()): %V, beside spdlog's raw %v.
class PrintableMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        const auto text = printable(std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(text.data(), text.data() + text.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<PrintableMessage>(); }
};

// The length of the UTF-8 sequence starting at s[i] (0 when it is not one).
std::size_t utf8Sequence(std::string_view s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) return 1;
    if (b >= 0xC2 && b <= 0xDF) n = 2, cp = b & 0x1F;
    else if (b >= 0xE0 && b <= 0xEF) n = 3, cp = b & 0x0F;
    else if (b >= 0xF0 && b <= 0xF4) n = 4, cp = b & 0x07;
    else return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (c & 0x3F);
    }
    const bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

}  // namespace

std::string printable(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        const std::size_t n = b < 0x20 || b == 0x7F ? 0 : utf8Sequence(text, i);
        if (n == 0) {
            out += "\\x";
            out += kHex[b >> 4];
            out += kHex[b & 0x0F];
            ++i;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::unique_ptr<spdlog::formatter> plainFormatter() {
    auto f = std::make_unique<spdlog::pattern_formatter>();
    f->add_flag<CorrelationFlag>('*').add_flag<PrintableMessage>('V').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %*%V");
    return f;
}

void setup(const std::string& level, const std::string& format) {
    auto logger = spdlog::stderr_color_mt("lms");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
    if (format == "json") {
        spdlog::set_formatter(std::make_unique<JsonFormatter>());
    } else {
        spdlog::set_formatter(plainFormatter());
    }
}

void setCorrelationId(std::string id) { tCorrelation = std::move(id); }
const std::string& correlationId() { return tCorrelation; }

}  // namespace lms::log
