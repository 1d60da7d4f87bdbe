#pragma once
// Waiting for a condition instead of sleeping for a guess: the test goes on the moment the
// condition holds, and fails at a deadline instead of hanging or racing.
#include <chrono>
#include <functional>
#include <thread>

namespace lms::test {

// Checks `condition` every `step` until it holds (true) or `timeout` has passed (false, after one
// last check). Use it as ASSERT_TRUE(eventually(...)) << "what was awaited".
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds step = std::chrono::milliseconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return condition();
        std::this_thread::sleep_for(step);
    }
    return true;
}

}  // namespace lms::test
