#include "eventstore/pg.hpp"

#include <poll.h>

#include <charconv>

namespace lms::pg {
namespace {

// Text parameters reach libpq as C strings: a NUL would end the value there, silently, and what
// PostgreSQL stored would differ from what was checked and hashed. Refused instead, loudly (input
// validation refuses NUL before this; this is the last line).
std::vector<const char*> values(const Params& params) {
    std::vector<const char*> v;
    v.reserve(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        const auto& p = params[i];
        if (p && p->find('\0') != std::string::npos) {
            throw Error("parameter $" + std::to_string(i + 1) + " holds a NUL byte, which PostgreSQL text cannot store",
                        "22021");
        }
        v.push_back(p ? p->c_str() : nullptr);
    }
    return v;
}

int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::int64_t Result::i64(int row, int col) const {
    const auto s = get(row, col);
    std::int64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

std::uint64_t Result::u64(int row, int col) const {
    const auto s = get(row, col);
    std::uint64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

std::string Result::bytea(int row, int col) const {
    const auto s = get(row, col);
    std::string out;
    if (s.size() < 2 || s[0] != '\\' || s[1] != 'x') return out;
    out.reserve((s.size() - 2) / 2);
    for (std::size_t i = 2; i + 1 < s.size(); i += 2) {
        out.push_back(static_cast<char>(hexValue(s[i]) * 16 + hexValue(s[i + 1])));
    }
    return out;
}

Connection::Connection(const std::string& url) : url_(url), conn_(PQconnectdb(url.c_str()), &PQfinish) {
    if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
        std::string msg = conn_ ? PQerrorMessage(conn_.get()) : "out of memory";
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        throw Error("cannot connect to PostgreSQL: " + msg, "08001");
    }
    // Every string here is UTF-8: a client encoding taken from PGCLIENTENCODING or the role's
    // default (LATIN1, say) would have the server re-encode it, and "café" be stored as "cafÃ©".
    if (PQsetClientEncoding(conn_.get(), "UTF8") != 0) {
        throw Error(std::string("cannot set the client encoding to UTF8: ") + PQerrorMessage(conn_.get()), "22021");
    }
    check(PQexec(conn_.get(), "SET client_min_messages = warning"), "SET");
}

Result Connection::check(PGresult* r, const std::string& sql) {
    Result res(r);
    const auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_OUT || st == PGRES_COPY_IN) return res;
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_.get());
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    const auto firstLine = sql.substr(0, sql.find('\n'));
    throw Error(msg + " [in: " + firstLine.substr(0, 80) + "]", state ? state : "");
}

Result Connection::exec(const std::string& sql) { return check(PQexec(conn_.get(), sql.c_str()), sql); }

Result Connection::query(const std::string& sql, const Params& params) {
    auto it = prepared_.find(sql);
    if (it == prepared_.end()) {
        std::string name = "s" + std::to_string(prepared_.size());
        check(PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr), sql);
        it = prepared_.emplace(sql, std::move(name)).first;
    }
    const auto v = values(params);
    return check(
        PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(v.size()), v.data(), nullptr, nullptr, 0), sql);
}

Result Connection::queryOnce(const std::string& sql, const Params& params) {
    const auto v = values(params);
    return check(
        PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(v.size()), nullptr, v.data(), nullptr, nullptr, 0), sql);
}

void Connection::afterCommit(std::function<void()> f) {
    if (autocommit()) {
        f();
    } else {
        afterCommit_.push_back(std::move(f));
    }
}

void Connection::committed() {
    auto hooks = std::move(afterCommit_);
    afterCommit_.clear();
    for (auto& f : hooks) f();
}

void Connection::rolledBack() { afterCommit_.clear(); }

void Connection::listen(const std::string& channel) { exec("LISTEN " + quoteIdentifier(channel)); }

bool Connection::waitForNotification(int timeoutMs) {
    PQconsumeInput(conn_.get());
    bool got = false;
    while (PGnotify* n = PQnotifies(conn_.get())) {
        PQfreemem(n);
        got = true;
    }
    if (got) return true;
    pollfd p{PQsocket(conn_.get()), POLLIN, 0};
    if (::poll(&p, 1, timeoutMs) <= 0) return false;
    if (PQconsumeInput(conn_.get()) == 0) throw Error(PQerrorMessage(conn_.get()), "08006");
    while (PGnotify* n = PQnotifies(conn_.get())) {
        PQfreemem(n);
        got = true;
    }
    return got;
}

std::string Connection::quoteIdentifier(std::string_view name) const {
    char* q = PQescapeIdentifier(conn_.get(), name.data(), name.size());
    std::string out(q);
    PQfreemem(q);
    return out;
}

Transaction::~Transaction() {
    if (done_ || joined_) return;
    c_.rolledBack();
    try {
        if (PQstatus(c_.raw()) == CONNECTION_OK) c_.exec("ROLLBACK");
    } catch (...) {  // NOLINT(bugprone-empty-catch): a failed rollback leaves nothing to undo
    }
}

Pool::Pool(std::string url, int size) : url_(std::move(url)), size_(size) {}

Pool::Lease Pool::acquire() {
    std::unique_lock lock(m_);
    for (;;) {
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(c));
        }
        if (created_ < size_) {
            ++created_;
            lock.unlock();
            try {
                return Lease(*this, std::make_unique<Connection>(url_));
            } catch (...) {
                std::lock_guard again(m_);
                --created_;
                throw;
            }
        }
        cv_.wait(lock);
    }
}

void Pool::release(std::unique_ptr<Connection> c) {
    {
        std::lock_guard lock(m_);
        // A broken connection or one left inside a transaction is dropped, not reused.
        if (c && c->ok() && PQtransactionStatus(c->raw()) == PQTRANS_IDLE) {
            idle_.push_back(std::move(c));
        } else {
            --created_;
        }
    }
    cv_.notify_one();
}

Pool::Lease::~Lease() {
    if (pool_ != nullptr && c_) pool_->release(std::move(c_));
}

std::string literal(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out.push_back('\'');
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

}  // namespace lms::pg
