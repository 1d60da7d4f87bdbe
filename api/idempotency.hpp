#pragma once
// Idempotency-Key on every POST of the API (API.md): a request with a key is executed once. A
// retry with the same key and the same body gets the first response again (with
// `Idempotent-Replayed: true`); the same key with another body is 422 `idempotency_key_reused`;
// a retry while the first is still running waits for it (a few seconds), then gets 409
// `idempotency_in_progress` with Retry-After. Keys are per caller (the signed-in user, or
// anonymous), route and key, and expire after 24 h. Responses of 5xx, 401, 409 and 429 are not
// kept (a retry may succeed); a run that died without an answer is taken over after its lease.
// Stored sealed (lms_idempotency, migration 0008). See docs/decisions/0018.
#include <atomic>
#include <chrono>
#include <string>

#include "api/http/auth.hpp"
#include "api/http/message.hpp"
#include "common/clock.hpp"
#include "eventstore/pg.hpp"

namespace lms::api {

class Idempotency {
public:
    struct Settings {
        std::chrono::seconds ttl{24 * 3600};
        std::chrono::seconds lease{60};        // a run older than this without an answer is abandoned
        std::chrono::milliseconds wait{3000};  // how long a retry waits for the first run
    };
    Idempotency(pg::Pool& pool, const std::string& secret, http::Authenticator*& authenticator)
        : Idempotency(pool, secret, authenticator, Settings{}) {}
    Idempotency(pg::Pool& pool, const std::string& secret, http::Authenticator*& authenticator, Settings settings);

    // The handler, guarded: what a route's handler becomes on POST.
    http::Handler guard(http::Handler handler);

private:
    http::Response run(http::Request& req, const http::Handler& handler);
    std::string scopeOf(const http::Request& req) const;

    pg::Pool& pool_;
    std::string key_;  // the sealing key
    http::Authenticator*& authenticator_;
    Settings s_;
    std::atomic<std::uint64_t> calls_{0};
};

}  // namespace lms::api
