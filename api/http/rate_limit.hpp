#pragma once
// Token buckets keyed by client (an IP, an account): `burst` requests at once, refilled at
// `perMinute`. A refused request learns how many seconds until a token is back (Retry-After).
//
// Memory is bounded: at most `maxKeys` buckets (LMS_RATE_MAX_KEYS), each of a fixed size whatever
// the key's length (a key is kept as a 16-byte keyed digest). The number of buckets is the gauge
// lms_rate_limiter_keys{limiter="<name>"}, so names must be unique.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lms::http {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;
    struct Verdict {
        bool allowed = true;
        int retryAfterSeconds = 0;
    };
    static constexpr std::size_t kDefaultMaxKeys = 100000;
    // Buckets compared when one must go to make room for a new key.
    static constexpr int kEvictionSample = 8;

    RateLimiter(std::string name, double perMinute, double burst, std::size_t maxKeys = kDefaultMaxKeys);
    Verdict take(std::string_view key, Clock::time_point now = Clock::now());
    const std::string& name() const { return name_; }
    // Buckets held (never more than maxKeys).
    std::size_t size() const;

private:
    using Digest = std::array<std::uint64_t, 2>;
    struct DigestHash {
        // The digest is keyed by a secret salt: its bits are uniform and a client cannot aim at one
        // hash bucket.
        std::size_t operator()(const Digest& d) const noexcept { return d[0]; }
    };
    struct Bucket {
        double tokens = 0;
        Clock::time_point at;
        std::size_t slot = 0;  // its index in slots_
    };
    using Buckets = std::unordered_map<Digest, Bucket, DigestHash>;

    Digest digest(std::string_view key) const;
    double tokensAt(const Bucket& b, Clock::time_point now) const;
    void erase(Buckets::iterator it);
    // Drops the buckets refilled to `burst`: a new bucket starts there, so they carry nothing.
    void sweep(Clock::time_point now);
    // Makes room for one new key: a sweep when it is paid for, else an eviction by sampling.
    void makeRoom(Clock::time_point now);
    void publishSize() const;

    std::string name_;
    double perSecond_;
    double burst_;
    std::size_t maxKeys_;
    std::string salt_;
    mutable std::mutex m_;
    Buckets buckets_;
    // Every bucket once, in no order: a uniform sample in O(1). Nodes of an unordered_map do not
    // move when it rehashes, so the pointers stay valid until the bucket is erased.
    std::vector<Buckets::value_type*> slots_;
    std::minstd_rand random_;
    std::size_t insertsSinceSweep_ = 0;
    Clock::time_point lastSweep_{};
};

}  // namespace lms::http
