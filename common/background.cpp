#include "common/background.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace lms {

Background::Background(std::string name, std::size_t capacity) : name_(std::move(name)), capacity_(capacity) {}

Background::~Background() { stop(std::chrono::milliseconds(0)); }

void Background::start() {
    std::lock_guard lock(m_);
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
}

bool Background::post(std::function<void()> task) {
    {
        std::lock_guard lock(m_);
        if (stopping_ || !thread_.joinable() || tasks_.size() >= capacity_) return false;
        tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
}

void Background::stop(std::chrono::milliseconds drain) {
    {
        std::lock_guard lock(m_);
        if (!thread_.joinable()) return;
        stopping_ = true;
        deadline_ = std::chrono::steady_clock::now() + drain;
    }
    cv_.notify_one();
    thread_.join();
    std::lock_guard lock(m_);
    if (!tasks_.empty()) spdlog::warn("{}: {} task(s) dropped at shutdown", name_, tasks_.size());
    tasks_.clear();
}

std::size_t Background::queued() const {
    std::lock_guard lock(m_);
    return tasks_.size();
}

void Background::run() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_);
            cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
            if (tasks_.empty() || (stopping_ && std::chrono::steady_clock::now() >= deadline_)) return;
            task = std::move(tasks_.front());
            tasks_.pop_front();
        }
        try {
            task();
        } catch (const std::exception& e) {
            spdlog::error("{}: a task failed: {}", name_, e.what());
        }
    }
}

}  // namespace lms
