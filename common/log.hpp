#pragma once
#include <spdlog/spdlog.h>

#include <string>

namespace lms::log {

// Configures the default spdlog logger: level (trace..off) and format ("plain" or "json" lines).
// Logs go to stderr so that stdout stays free for command output.
void setup(const std::string& level, const std::string& format);

// The request or correlation id of the work this thread is doing; every log line carries it.
void setCorrelationId(std::string id);
const std::string& correlationId();

// Sets the correlation id for a scope and restores the previous one after.
class CorrelationScope {
public:
    explicit CorrelationScope(std::string id) : previous_(correlationId()) { setCorrelationId(std::move(id)); }
    ~CorrelationScope() { setCorrelationId(previous_); }
    CorrelationScope(const CorrelationScope&) = delete;
    CorrelationScope& operator=(const CorrelationScope&) = delete;

private:
    std::string previous_;
};

}  // namespace lms::log
