#pragma once
// The events that change what this process keeps in memory (the authentication cache, the
// catalog's serialised answers), delivered to every subscriber two ways: this process's own
// commits synchronously, right after they commit (committed()), and everything committed by any
// process as one follower thread reads it in the global order on a connection of its own
// (LISTEN/NOTIFY, polling as fallback). A subscriber may see an event both ways and must be
// idempotent (a cache evicts). Each time the follower (re)connects it starts from the store's head,
// so what committed while it was away is not delivered: subscribers are told to reset instead.
// While the follower is not keeping up (database gone, thread stuck) following() is false and
// caches are bypassed. See docs/decisions/0009 and 0016.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "eventstore/event_store.hpp"

namespace lms::api {

class EventFeed {
public:
    using Events = std::vector<eventstore::RecordedEvent>;
    struct Subscriber {
        std::function<void(const Events&)> events;
        std::function<void()> reset;  // forget everything derived so far (called at each (re)connect)
    };
    EventFeed() = default;
    EventFeed(const EventFeed&) = delete;
    EventFeed& operator=(const EventFeed&) = delete;
    ~EventFeed();

    // Before start(); subscribers live as long as the feed runs.
    void subscribe(Subscriber s);
    // What a command of this process has just committed.
    void committed(const Events& events) const;
    // Follows the store from its head until stop().
    void start(const std::string& databaseUrl, int pollMs);
    void stop();
    // True while the follower reads at least once per two poll intervals (and a second of slack).
    bool following() const;

private:
    void follow(const std::string& url, int pollMs);
    std::vector<Subscriber> subscribers_;
    std::atomic<std::int64_t> followedAtMs_{-1'000'000'000};  // steady clock ms of the last successful read
    std::atomic<int> pollMs_{500};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace lms::api
