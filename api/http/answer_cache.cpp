#include "api/http/answer_cache.hpp"

namespace lms::http {
namespace {

std::size_t cost(const std::string& key, const AnswerCache::Answer& a) {
    return key.size() + a.body.size() + a.tag.size() + a.owner.size() + a.subject.size() + 64;
}

}  // namespace

AnswerCache::Shared AnswerCache::get(const std::string& key) const {
    std::shared_lock lock(m_);
    const auto it = answers_.find(key);
    return it == answers_.end() ? nullptr : it->second;
}

void AnswerCache::put(const std::string& key, Answer answer, std::uint64_t generationBeforeRead) {
    const std::size_t size = cost(key, answer);
    if (size > maxBytes_ / 4) return;  // one answer never takes most of the room
    std::unique_lock lock(m_);
    // A clear since the read began may concern what was read: do not keep it.
    if (generation_.load() != generationBeforeRead) return;
    const auto it = answers_.find(key);
    if (it != answers_.end()) return;  // another request made the same answer meanwhile
    while (bytes_ + size > maxBytes_ && !answers_.empty()) evictOldestHalf();
    answers_.emplace(key, std::make_shared<const Answer>(std::move(answer)));
    order_.push_back(key);
    bytes_ += size;
}

void AnswerCache::evictOldestHalf() {
    const std::size_t drop = (order_.size() + 1) / 2;
    for (std::size_t i = 0; i < drop; ++i) {
        const auto it = answers_.find(order_.front());
        if (it != answers_.end()) {
            bytes_ -= cost(it->first, *it->second);
            answers_.erase(it);
        }
        order_.pop_front();
    }
}

void AnswerCache::clear() {
    std::unique_lock lock(m_);
    ++generation_;
    answers_.clear();
    order_.clear();
    bytes_ = 0;
}

std::size_t AnswerCache::bytes() const {
    std::shared_lock lock(m_);
    return bytes_;
}

std::size_t AnswerCache::size() const {
    std::shared_lock lock(m_);
    return answers_.size();
}

}  // namespace lms::http
