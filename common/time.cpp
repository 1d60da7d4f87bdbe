#include "common/time.hpp"

#include <cstdio>
#include <ctime>

namespace lms {

std::string formatTimestampUs(std::int64_t us) {
    std::int64_t secs = us / 1000000;
    std::int64_t frac = us % 1000000;
    if (frac < 0) {
        frac += 1000000;
        --secs;
    }
    const auto t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(frac));
    return buf;
}

bool parseTimestampUs(const std::string& s, std::int64_t& out) {
    std::tm tm{};
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    char tail[32] = {0};
    const int n = std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%31s", &y, &mo, &d, &h, &mi, &sec, tail);
    if (n != 3 && n < 6) return false;
    if (n == 3 && s.size() != 10) return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
    std::int64_t frac = 0;
    std::string rest = n >= 7 ? tail : "";
    if (!rest.empty() && rest[0] == '.') {
        std::size_t i = 1;
        std::int64_t scale = 100000;
        while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
            frac += (rest[i] - '0') * scale;
            scale /= 10;
            ++i;
        }
        rest = rest.substr(i);
    }
    std::int64_t offset = 0;
    if (rest == "Z" || rest.empty()) {
        offset = 0;
    } else if ((rest[0] == '+' || rest[0] == '-') && rest.size() == 6 && rest[3] == ':') {
        const int oh = std::stoi(rest.substr(1, 2));
        const int om = std::stoi(rest.substr(4, 2));
        offset = (rest[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else {
        return false;
    }
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    const std::int64_t secs = static_cast<std::int64_t>(timegm(&tm)) - offset;
    out = secs * 1000000 + frac;
    return true;
}

}  // namespace lms
