#pragma once
// What authenticating a request needs (the session's state and its user's row), kept in memory
// so that a request with a valid token costs no database query. It is kept exact by the identity
// events themselves: a thread follows the global order (LISTEN/NOTIFY, polling as fallback) and
// evicts a user's entries on every user-* event and a session's on SessionRevoked; this process's
// own commands evict synchronously after their commit. A read that raced an eviction is not
// cached (generation check). When the follower is not keeping up (database gone, thread stuck),
// the cache is bypassed and every request reads the database. See docs/decisions/0009.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "eventstore/event_store.hpp"

namespace lms::identity {

class AuthCache {
public:
    using Clock = std::chrono::steady_clock;
    struct Entry {
        std::string userId;
        std::string role;
        std::string status;    // ACTIVE or BANNED
        std::string userJson;  // the users row as /users/me shows it, serialised once
    };
    explicit AuthCache(std::size_t maxEntries = 100000, std::chrono::seconds ttl = std::chrono::seconds(60))
        : max_(maxEntries), ttl_(ttl) {}
    ~AuthCache();

    // What the follower does with each batch of committed events: evict what they change.
    using Observer = std::function<void(const std::vector<eventstore::RecordedEvent>&)>;
    // Follows the store from its current head on a connection of its own, until stop().
    void start(const std::string& databaseUrl, int pollMs, Observer observer);
    void stop();

    std::optional<Entry> get(const std::string& sessionId);
    // Call before reading the database; pass the value to put().
    std::uint64_t generation() const { return generation_.load(); }
    void put(const std::string& sessionId, Entry e, std::uint64_t generationBeforeRead);
    void evictUser(const std::string& userId);
    void evictSession(const std::string& sessionId);
    bool enabled() const;

private:
    void follow(const std::string& url, int pollMs, const Observer& observer);
    struct Slot {
        Entry entry;
        Clock::time_point at;
    };
    std::size_t max_;
    std::chrono::seconds ttl_;
    mutable std::shared_mutex m_;
    std::unordered_map<std::string, Slot> bySession_;
    std::unordered_map<std::string, std::unordered_set<std::string>> sessionsOfUser_;
    std::atomic<std::uint64_t> generation_{0};
    std::atomic<std::int64_t> followedAtMs_{0};  // steady clock ms of the follower's last successful read
    std::atomic<int> pollMs_{500};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

}  // namespace lms::identity
