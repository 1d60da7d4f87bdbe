#pragma once
// The retries of the workers (the mailer, the certificate worker): a delay that doubles from
// `base` per attempt up to a minute, slept in short steps so that a stop is seen at once.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace lms {

inline constexpr std::int64_t kMaxBackoffMs = 60'000;

// The delay before attempt `attempt` + 1: base, 2 base, 4 base, ..., at most a minute.
inline std::int64_t backoffMs(int base, int attempt) {
    std::int64_t ms = base;
    for (int i = 1; i < attempt && ms < kMaxBackoffMs; ++i) ms *= 2;
    return std::min(ms, kMaxBackoffMs);
}

// Sleeps for ms in short steps; false when stop was set meanwhile.
inline bool pauseUnlessStopped(std::int64_t ms, const std::atomic<bool>& stop) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
        if (stop.load()) return false;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
            std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
    }
    return !stop.load();
}

}  // namespace lms
