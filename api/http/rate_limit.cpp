#include "api/http/rate_limit.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/metrics.hpp"
#include "common/sha256.hpp"

namespace lms::http {

RateLimiter::RateLimiter(std::string name, double perMinute, double burst, std::size_t maxKeys)
    : name_(std::move(name)), perSecond_(perMinute / 60.0), burst_(burst), maxKeys_(std::max<std::size_t>(1, maxKeys)) {
    std::random_device entropy;
    for (int i = 0; i < 4; ++i) {
        const auto word = entropy();
        salt_.append(reinterpret_cast<const char*>(&word), sizeof word);
    }
    random_.seed(entropy());
    publishSize();
}

RateLimiter::Digest RateLimiter::digest(std::string_view key) const {
    std::string salted;
    salted.reserve(salt_.size() + key.size());
    salted += salt_;
    salted += key;
    const std::string h = sha256(salted);
    Digest d;
    std::memcpy(d.data(), h.data(), sizeof d);
    return d;
}

double RateLimiter::tokensAt(const Bucket& b, Clock::time_point now) const {
    // Threads may reach the lock in another order than their clocks read: time never runs back.
    const double elapsed = std::max(0.0, std::chrono::duration<double>(now - b.at).count());
    return std::min(burst_, b.tokens + elapsed * perSecond_);
}

void RateLimiter::erase(Buckets::iterator it) {
    const std::size_t slot = it->second.slot;
    slots_[slot] = slots_.back();
    slots_[slot]->second.slot = slot;
    slots_.pop_back();
    buckets_.erase(it);
}

void RateLimiter::sweep(Clock::time_point now) {
    // Backwards: erasing slot i moves the last bucket, already looked at, into it.
    for (std::size_t i = slots_.size(); i-- > 0;) {
        if (tokensAt(slots_[i]->second, now) >= burst_) erase(buckets_.find(slots_[i]->first));
    }
    insertsSinceSweep_ = 0;
    lastSweep_ = now;
}

// When the table is full, the new key takes the place of the fullest of kEvictionSample buckets
// drawn uniformly (with replacement): the one closest to a new bucket, so the one whose loss
// forgets least. A bucket is never evicted while a bucket with more tokens is in the same sample.
//
// What a client flooding distinct keys can do: a fresh key, after its first request, holds
// burst - 1 tokens, at least 1 when burst >= 2 (burst is the per-minute rate of LMS_RATE_*_PER_MIN,
// 3x that per IP: 5 or more with the defaults). A limited bucket (under 1 token) therefore loses its
// place only when every bucket in the sample is limited too: with k limited buckets among n,
// probability (k/n)^8 per new key; one limited victim among 1,000 fresh keys: 1e-24. To take a
// limited victim's place the attacker must first hold most of the table limited (each of ~n keys
// drained of its burst within a refill period, through the per-IP limits in front of the
// per-account ones), and then an insert hits the victim with probability at most 8/n. What the
// flood does achieve: its own keys evict one another (they are the fullest), a partly used bucket
// of an honest client may be forgotten (it starts full again: at most `burst` extra requests for
// that client), and the table stays at maxKeys. It never grows past it, and a new client is never
// refused because the table is full. With burst 1 (a rate set to 1 a minute) every client is
// limited after one request and the guarantee is gone: the bucket that refilled longest goes.
void RateLimiter::makeRoom(Clock::time_point now) {
    // A sweep passes over every bucket; it runs once maxKeys/2 keys came in since the last, so each
    // new key pays O(1) for it.
    if (insertsSinceSweep_ >= maxKeys_ / 2) sweep(now);
    if (buckets_.size() < maxKeys_) return;
    std::uniform_int_distribution<std::size_t> pick(0, slots_.size() - 1);
    std::size_t fullest = pick(random_);
    double most = tokensAt(slots_[fullest]->second, now);
    for (int i = 1; i < kEvictionSample; ++i) {
        const std::size_t s = pick(random_);
        const double tokens = tokensAt(slots_[s]->second, now);
        if (tokens > most) {
            most = tokens;
            fullest = s;
        }
    }
    erase(buckets_.find(slots_[fullest]->first));
}

void RateLimiter::publishSize() const {
    metrics::Registry::global().set("lms_rate_limiter_keys", "Clients a rate limiter tracks (at most LMS_RATE_MAX_KEYS)",
                                    {{"limiter", name_}}, static_cast<double>(buckets_.size()));
}

std::size_t RateLimiter::size() const {
    std::lock_guard lock(m_);
    return buckets_.size();
}

RateLimiter::Verdict RateLimiter::take(std::string_view key, Clock::time_point now) {
    const Digest d = digest(key);  // outside the lock: hashing is the costly part
    std::lock_guard lock(m_);
    const std::size_t before = buckets_.size();
    // Full buckets carry no information: drop them now and then so that memory follows the clients
    // active in the last refill period, well under the cap in the common case.
    if (now - lastSweep_ > std::chrono::minutes(1)) sweep(now);
    auto it = buckets_.find(d);
    if (it == buckets_.end()) {
        if (buckets_.size() >= maxKeys_) makeRoom(now);
        it = buckets_.emplace(d, Bucket{burst_, now, slots_.size()}).first;
        slots_.push_back(&*it);
        ++insertsSinceSweep_;
    } else {
        Bucket& b = it->second;
        b.tokens = tokensAt(b, now);
        b.at = std::max(b.at, now);
    }
    // Published under the lock, so that the gauge shows the sizes in the order they happened.
    if (buckets_.size() != before) publishSize();
    Bucket& b = it->second;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return {true, 0};
    }
    const double wait = perSecond_ > 0 ? (1.0 - b.tokens) / perSecond_ : 3600.0;
    return {false, std::max(1, static_cast<int>(std::ceil(wait)))};
}

}  // namespace lms::http
