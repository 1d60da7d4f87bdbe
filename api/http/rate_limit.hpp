#pragma once
// Token buckets keyed by client (an IP, an account): `burst` requests at once, refilled at
// `perMinute`. A refused request learns how many seconds until a token is back (Retry-After).
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace lms::http {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    struct Verdict {
        bool allowed = true;
        int retryAfterSeconds = 0;
    };
    RateLimiter(std::string name, double perMinute, double burst)
        : name_(std::move(name)), perSecond_(perMinute / 60.0), burst_(burst) {}
    Verdict take(const std::string& key, Clock::time_point now = Clock::now());
    const std::string& name() const { return name_; }

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point at;
    };
    std::string name_;
    double perSecond_;
    double burst_;
    std::mutex m_;
    std::unordered_map<std::string, Bucket> buckets_;
    Clock::time_point lastSweep_{};
};

}  // namespace lms::http
