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

}  // namespace

void setup(const std::string& level, const std::string& format) {
    auto logger = spdlog::stderr_color_mt("lms");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
    if (format == "json") {
        spdlog::set_formatter(std::make_unique<JsonFormatter>());
    } else {
        auto f = std::make_unique<spdlog::pattern_formatter>();
        f->add_flag<CorrelationFlag>('*').set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %*%v");
        spdlog::set_formatter(std::move(f));
    }
}

void setCorrelationId(std::string id) { tCorrelation = std::move(id); }
const std::string& correlationId() { return tCorrelation; }

}  // namespace lms::log
