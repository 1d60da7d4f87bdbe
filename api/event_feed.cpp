#include "api/event_feed.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

namespace lms::api {
namespace {

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

EventFeed::~EventFeed() { stop(); }

void EventFeed::subscribe(Subscriber s) { subscribers_.push_back(std::move(s)); }

void EventFeed::committed(const Events& events) const {
    if (events.empty()) return;
    for (const auto& s : subscribers_) {
        if (s.events) s.events(events);
    }
}

void EventFeed::start(const std::string& databaseUrl, int pollMs) {
    pollMs_ = pollMs;
    stop_ = false;
    thread_ = std::thread([this, databaseUrl, pollMs] { follow(databaseUrl, pollMs); });
}

void EventFeed::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

bool EventFeed::following() const { return nowMs() - followedAtMs_.load() <= 2 * pollMs_.load() + 1000; }

void EventFeed::follow(const std::string& url, int pollMs) {
    while (!stop_.load()) {
        try {
            pg::Connection c(url);
            eventstore::EventStore store(c);
            // Everything committed before this point is in what requests read from the database;
            // what was derived before it (or while the follower was away) may not be.
            eventstore::Subscription sub(c, store.head(), std::min(pollMs, 200));
            for (const auto& s : subscribers_) {
                if (s.reset) s.reset();
            }
            followedAtMs_ = nowMs();
            while (!stop_.load()) {
                const auto events = sub.next(1000);
                committed(events);
                followedAtMs_ = nowMs();
            }
        } catch (const std::exception& ex) {
            // Until it follows again, caches are bypassed (following() turns false by itself).
            spdlog::warn("event feed: {}; requests read the database until it follows again", ex.what());
            for (int i = 0; i < 10 && !stop_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

}  // namespace lms::api
