#pragma once
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

namespace lms::log {

// Text as it may enter a log line: control characters (ESC, CR, LF, NUL, ...) and bytes that are
// not UTF-8 are written as \xHH, so that nothing a client sends can move the cursor of the terminal
// reading the log, forge a line, or break the reader's decoding. Valid UTF-8 stays as it is.
std::string printable(std::string_view text);

// The plain-text line format ("2026-12-01 10:00:00.000 info  [correlation] message"), with the
// message passed through printable().
std::unique_ptr<spdlog::formatter> plainFormatter();

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
