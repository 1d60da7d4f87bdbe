#include "api/idempotency.hpp"

#include <nlohmann/json.hpp>
#include <thread>

#include "api/http/problem.hpp"
#include "common/aead.hpp"
#include "common/sha256.hpp"

namespace lms::api {
namespace {

using http::problem;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kMaxKeyBytes = 255;
constexpr const char* kPrimaryKey = "scope = $1 AND method = $2 AND path = $3 AND key = $4";

bool validKey(const std::string& k) {
    if (k.empty() || k.size() > kMaxKeyBytes) return false;
    for (const char ch : k) {
        if (ch < 0x21 || ch > 0x7e) return false;
    }
    return true;
}

// What a retry may get again: not a failure of ours (5xx) nor an answer that a retry may change
// (401 a renewed token, 409 a conflict, 429 a limit).
bool keepable(int status) { return status < 500 && status != 401 && status != 409 && status != 429; }

std::string serialise(const Response& r) {
    json headers = json::array();
    for (const auto& [k, v] : r.headers) headers.push_back({k, v});
    return json{{"status", r.status}, {"contentType", r.contentType}, {"body", r.body}, {"headers", headers}}.dump();
}

std::optional<Response> deserialise(const std::string& text) {
    const auto j = json::parse(text, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    Response r;
    r.status = j.value("status", 500);
    r.contentType = j.value("contentType", "application/json");
    r.body = j.value("body", "");
    for (const auto& h : j.value("headers", json::array())) {
        if (h.is_array() && h.size() == 2) r.headers.emplace_back(h[0].get<std::string>(), h[1].get<std::string>());
    }
    return r;
}

}  // namespace

Idempotency::Idempotency(pg::Pool& pool, const std::string& secret, http::Authenticator*& authenticator,
                         Settings settings)
    : pool_(pool), key_(deriveKey(secret, "idempotency-responses")), authenticator_(authenticator), s_(settings) {}

http::Handler Idempotency::guard(http::Handler handler) {
    return [this, handler = std::move(handler)](Request& req) { return run(req, handler); };
}

std::string Idempotency::scopeOf(const Request& req) const {
    if (authenticator_ && (!req.header("authorization").empty() || !req.header("cookie").empty())) {
        if (auto p = authenticator_->authenticate(req)) return "user:" + p->userId;
    }
    return "anonymous";
}

Response Idempotency::run(Request& req, const http::Handler& handler) {
    const std::string key = req.header("idempotency-key");
    if (key.empty()) return handler(req);
    if (!validKey(key)) {
        return http::invalid({{"Idempotency-Key", "must be 1 to 255 visible ASCII characters"}}, req.requestId,
                             "the Idempotency-Key header is invalid");
    }
    const std::string scope = scopeOf(req);
    const std::string fingerprint = sha256Hex(req.method + " " + req.path + "?" + req.query + "\n" + req.body);
    const std::string associated = scope + "\n" + req.method + " " + req.path + "\n" + key;
    const pg::Params pk{scope, req.method, req.path, key};
    const auto deadline = std::chrono::steady_clock::now() + s_.wait;
    for (;;) {
        {
            auto conn = pool_.acquire();
            if (++calls_ % 1000 == 0) conn->exec("DELETE FROM lms_idempotency WHERE expires_at < now()");
            pg::Params insert = pk;
            insert.emplace_back(fingerprint);
            insert.emplace_back(std::to_string(s_.ttl.count()));
            const auto mine = conn->query(
                "INSERT INTO lms_idempotency (scope, method, path, key, fingerprint, state, expires_at) "
                "VALUES ($1, $2, $3, $4, $5, 'running', now() + make_interval(secs => $6::int)) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                insert);
            if (mine.rows() == 1) break;  // this request runs it
            pg::Params select = pk;
            select.emplace_back(std::to_string(s_.lease.count()));
            const auto r =
                conn->query(std::string("SELECT fingerprint, state, encode(response, 'hex'), expires_at < now(), "
                                        "state = 'running' AND started_at < now() - make_interval(secs => $5::int) "
                                        "FROM lms_idempotency WHERE ") +
                                kPrimaryKey,
                            select);
            if (r.rows() == 1) {
                if (r.str(0, 3) == "t" || r.str(0, 4) == "t") {
                    // Expired, or a run that died without answering: start afresh.
                    conn->query(std::string("DELETE FROM lms_idempotency WHERE ") + kPrimaryKey +
                                    " AND (expires_at < now() OR (state = 'running' AND started_at < now() - "
                                    "make_interval(secs => $5::int)))",
                                select);
                    continue;
                }
                if (r.str(0, 0) != fingerprint) {
                    return problem(422, "idempotency_key_reused",
                                   "this Idempotency-Key was used with another request; use a new key", req.requestId);
                }
                if (r.str(0, 1) == "done") {
                    const auto sealed = fromHex(r.str(0, 2));
                    const auto plain = sealed ? aead::open(key_, associated, *sealed) : std::nullopt;
                    auto stored = plain ? deserialise(*plain) : std::nullopt;
                    if (!stored) throw std::runtime_error("idempotency: a stored response does not open");
                    stored->headers.emplace_back("Idempotent-Replayed", "true");
                    return *stored;
                }
            }
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            auto res = problem(409, "idempotency_in_progress",
                               "a request with this Idempotency-Key is still running; retry shortly", req.requestId);
            res.headers.emplace_back("Retry-After", "1");
            return res;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }

    Response res;
    try {
        res = handler(req);
    } catch (...) {
        auto conn = pool_.acquire();
        conn->query(std::string("DELETE FROM lms_idempotency WHERE ") + kPrimaryKey, pk);
        throw;
    }
    auto conn = pool_.acquire();
    if (keepable(res.status)) {
        pg::Params update = pk;
        update.emplace_back(toHex(aead::seal(key_, associated, serialise(res))));
        conn->query(std::string("UPDATE lms_idempotency SET state = 'done', response = decode($5, 'hex') WHERE ") +
                        kPrimaryKey,
                    update);
    } else {
        conn->query(std::string("DELETE FROM lms_idempotency WHERE ") + kPrimaryKey, pk);
    }
    return res;
}

}  // namespace lms::api
