#include "api/identity/auth_cache.hpp"

#include <mutex>

namespace lms::identity {

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

void AuthCache::clear() {
    std::unique_lock lock(m_);
    ++generation_;
    bySession_.clear();
    sessionsOfUser_.clear();
}

}  // namespace lms::identity
