#pragma once
#include <cstdint>
#include <string>

namespace lms {

// RFC 3339 in UTC with microseconds: 2026-11-23T09:36:09.123456Z
std::string formatTimestampUs(std::int64_t microsSinceEpoch);
// Parses RFC 3339 / ISO 8601 date-times (a date alone means midnight UTC); returns false when malformed.
bool parseTimestampUs(const std::string& s, std::int64_t& microsSinceEpoch);

}  // namespace lms
