#pragma once
// One thread that runs tasks after the request that posted them was answered: work whose
// duration must not show in the answer (a password reset for an address that may or may not have
// an account). Bounded: past `capacity` waiting tasks, post() refuses. A task that throws is
// logged and the next one runs. stop() runs what is queued until the deadline, then drops the rest.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace lms {

class Background {
public:
    Background(std::string name, std::size_t capacity);
    ~Background();
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    void start();
    // False when the queue is full or stopped (the task is not run).
    bool post(std::function<void()> task);
    // Runs what is queued for at most `drain`, then joins the thread.
    void stop(std::chrono::milliseconds drain);
    std::size_t queued() const;

private:
    void run();
    std::string name_;
    std::size_t capacity_;
    mutable std::mutex m_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> tasks_;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point deadline_;
    std::thread thread_;
};

}  // namespace lms
