#pragma once
// What authenticating a request needs (the session's state and its user's row), kept in memory
// so that a request with a valid token costs no database query. It is kept exact by the identity
// events themselves, as the process's event feed (api/event_feed.hpp) delivers them: a user's
// entries go on every user-* event and a session's on SessionRevoked, this process's own commits
// synchronously after they commit. A read that raced an eviction is not cached (generation check).
// When the feed is not following the store (database gone, thread stuck), the cache is bypassed
// and every request reads the database. See docs/decisions/0009.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "api/event_feed.hpp"

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
    explicit AuthCache(const api::EventFeed& feed, std::size_t maxEntries = 100000,
                       std::chrono::seconds ttl = std::chrono::seconds(60))
        : feed_(feed), max_(maxEntries), ttl_(ttl) {}

    std::optional<Entry> get(const std::string& sessionId);
    // Call before reading the database; pass the value to put().
    std::uint64_t generation() const { return generation_.load(); }
    void put(const std::string& sessionId, Entry e, std::uint64_t generationBeforeRead);
    void evictUser(const std::string& userId);
    void evictSession(const std::string& sessionId);
    void clear();
    bool enabled() const { return feed_.following(); }

private:
    struct Slot {
        Entry entry;
        Clock::time_point at;
    };
    const api::EventFeed& feed_;
    std::size_t max_;
    std::chrono::seconds ttl_;
    mutable std::shared_mutex m_;
    std::unordered_map<std::string, Slot> bySession_;
    std::unordered_map<std::string, std::unordered_set<std::string>> sessionsOfUser_;
    std::atomic<std::uint64_t> generation_{0};
};

}  // namespace lms::identity
