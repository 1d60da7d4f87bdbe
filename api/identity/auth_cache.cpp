#include "api/identity/auth_cache.hpp"

#include <spdlog/spdlog.h>

#include <mutex>

#include "eventstore/event_store.hpp"

namespace lms::identity {
namespace {

std::int64_t nowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(AuthCache::Clock::now().time_since_epoch()).count();
}

}  // namespace

AuthCache::~AuthCache() { stop(); }

void AuthCache::start(const std::string& databaseUrl, int pollMs, Observer observer) {
    pollMs_ = pollMs;
    stop_ = false;
    thread_ = std::thread(
        [this, databaseUrl, pollMs, observer = std::move(observer)] { follow(databaseUrl, pollMs, observer); });
}

void AuthCache::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

bool AuthCache::enabled() const {
    // The follower reads at least once per poll interval; allow it two and a second of slack.
    return nowMs() - followedAtMs_.load() <= 2 * pollMs_.load() + 1000;
}

std::optional<AuthCache::Entry> AuthCache::get(const std::string& sessionId) {
    if (!enabled()) return std::nullopt;
    std::shared_lock lock(m_);
    const auto it = bySession_.find(sessionId);
    if (it == bySession_.end() || Clock::now() - it->second.at > ttl_) return std::nullopt;
    return it->second.entry;
}

void AuthCache::put(const std::string& sessionId, Entry e, std::uint64_t generationBeforeRead) {
    if (!enabled()) return;
    std::unique_lock lock(m_);
    // An eviction since the read began may concern what was read: do not keep it.
    if (generation_.load() != generationBeforeRead) return;
    if (bySession_.size() >= max_) {
        bySession_.clear();
        sessionsOfUser_.clear();
    }
    sessionsOfUser_[e.userId].insert(sessionId);
    bySession_[sessionId] = Slot{std::move(e), Clock::now()};
}

void AuthCache::evictUser(const std::string& userId) {
    std::unique_lock lock(m_);
    ++generation_;
    const auto it = sessionsOfUser_.find(userId);
    if (it == sessionsOfUser_.end()) return;
    for (const auto& sid : it->second) bySession_.erase(sid);
    sessionsOfUser_.erase(it);
}

void AuthCache::evictSession(const std::string& sessionId) {
    std::unique_lock lock(m_);
    ++generation_;
    const auto it = bySession_.find(sessionId);
    if (it == bySession_.end()) return;
    sessionsOfUser_[it->second.entry.userId].erase(sessionId);
    bySession_.erase(it);
}

void AuthCache::follow(const std::string& url, int pollMs, const Observer& observer) {
    while (!stop_.load()) {
        try {
            pg::Connection c(url);
            eventstore::EventStore store(c);
            // Everything committed before this point is in what requests read from the database.
            eventstore::Subscription sub(c, store.head(), std::min(pollMs, 200));
            followedAtMs_ = nowMs();
            while (!stop_.load()) {
                const auto events = sub.next(1000);
                if (!events.empty()) observer(events);
                followedAtMs_ = nowMs();
            }
        } catch (const std::exception& ex) {
            // Until it follows again the cache is bypassed (enabled() turns false by itself).
            spdlog::warn("auth cache: {}; requests read the database until it follows again", ex.what());
            for (int i = 0; i < 10 && !stop_.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

}  // namespace lms::identity
