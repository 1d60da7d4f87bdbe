#pragma once
// Serialised answers kept in memory by a key the caller makes (a route and its normalised
// parameters), each with the tag that answers If-None-Match. Exact only while its owner clears it
// on every change of what the answers show (the catalog clears on catalog events, as the event
// feed delivers them) and puts only what it read after taking generation(): a read that raced a
// clear is not kept. Bounded by bytes: when an answer does not fit, the oldest half goes.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace lms::http {

class AnswerCache {
public:
    struct Answer {
        std::string body;
        std::string tag;      // the ETag
        std::string owner;    // who may see more than this answer shows (a course's instructor), if anyone
        std::string subject;  // what it is about (a course's id), for the caller's own checks
    };
    using Shared = std::shared_ptr<const Answer>;

    explicit AnswerCache(std::size_t maxBytes = kDefaultMaxBytes) : maxBytes_(maxBytes) {}

    Shared get(const std::string& key) const;
    // Call before reading what the answer is made of; pass the value to put().
    std::uint64_t generation() const { return generation_.load(); }
    void put(const std::string& key, Answer answer, std::uint64_t generationBeforeRead);
    void clear();

    std::size_t bytes() const;
    std::size_t size() const;

    static constexpr std::size_t kDefaultMaxBytes = 64u << 20;

private:
    void evictOldestHalf();  // with m_ held
    std::size_t maxBytes_;
    mutable std::shared_mutex m_;
    std::unordered_map<std::string, Shared> answers_;
    std::deque<std::string> order_;  // keys, oldest first
    std::size_t bytes_ = 0;
    std::atomic<std::uint64_t> generation_{0};
};

}  // namespace lms::http
