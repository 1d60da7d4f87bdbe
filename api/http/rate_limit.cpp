#include "api/http/rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace lms::http {

RateLimiter::Verdict RateLimiter::take(const std::string& key, Clock::time_point now) {
    std::lock_guard lock(m_);
    // Full buckets carry no information: drop them now and then so that memory stays bounded
    // by the clients active in the last refill period.
    if (now - lastSweep_ > std::chrono::minutes(1)) {
        for (auto it = buckets_.begin(); it != buckets_.end();) {
            const double refilled = it->second.tokens +
                                    std::chrono::duration<double>(now - it->second.at).count() * perSecond_;
            it = refilled >= burst_ ? buckets_.erase(it) : std::next(it);
        }
        lastSweep_ = now;
    }
    auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!fresh) {
        b.tokens = std::min(burst_, b.tokens + std::chrono::duration<double>(now - b.at).count() * perSecond_);
        b.at = now;
    }
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return {true, 0};
    }
    const double wait = perSecond_ > 0 ? (1.0 - b.tokens) / perSecond_ : 3600.0;
    return {false, std::max(1, static_cast<int>(std::ceil(wait)))};
}

}  // namespace lms::http
