#pragma once
// The one source of the current time, injected wherever a command or a worker needs "now", so
// that a test can set the time instead of waiting for it. The domain never asks a clock: time
// arrives inside its commands.
#include <atomic>
#include <cstdint>

namespace lms {

class Clock {
public:
    virtual ~Clock() = default;
    // Microseconds since the Unix epoch.
    virtual std::int64_t nowUs() const = 0;
    std::int64_t nowSeconds() const { return nowUs() / 1'000'000; }
    // The wall clock (std::chrono::system_clock).
    static const Clock& system();
};

// A clock that stands still until it is moved: for tests.
class ManualClock final : public Clock {
public:
    explicit ManualClock(std::int64_t nowUs) : now_(nowUs) {}
    std::int64_t nowUs() const override { return now_.load(); }
    void set(std::int64_t nowUs) { now_ = nowUs; }
    void advanceUs(std::int64_t us) { now_ += us; }

private:
    std::atomic<std::int64_t> now_;
};

}  // namespace lms
