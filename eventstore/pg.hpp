#pragma once
// A thin RAII layer over libpq: connections, results, prepared statements and transactions.
// A failing statement throws pg::Error carrying the SQLSTATE; callers that expect a particular
// failure (a unique violation, say) check sqlstate() and turn it into a value.
#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace lms::pg {

class Error : public std::runtime_error {
public:
    Error(const std::string& message, std::string sqlstate)
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const { return sqlstate_; }

private:
    std::string sqlstate_;
};

inline constexpr const char* kUniqueViolation = "23505";
inline constexpr const char* kSerializationFailure = "40001";
inline constexpr const char* kDeadlockDetected = "40P01";

class Result {
public:
    explicit Result(PGresult* r) : r_(r, &PQclear) {}
    int rows() const { return PQntuples(r_.get()); }
    int columns() const { return PQnfields(r_.get()); }
    bool isNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
    std::string_view get(int row, int col) const {
        return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
    }
    std::string str(int row, int col) const { return std::string(get(row, col)); }
    std::int64_t i64(int row, int col) const;
    std::uint64_t u64(int row, int col) const;
    bool boolean(int row, int col) const { return get(row, col) == "t"; }
    // Decodes a bytea column in hex output format (\x...).
    std::string bytea(int row, int col) const;
    std::string affected() const { return PQcmdTuples(r_.get()); }
    PGresult* raw() const { return r_.get(); }

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

// Text-format statement parameters; std::nullopt is SQL NULL.
using Param = std::optional<std::string>;
using Params = std::vector<Param>;

class Connection {
public:
    explicit Connection(const std::string& url);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Runs one or more statements without parameters (DDL, BEGIN, COMMIT ...).
    Result exec(const std::string& sql);
    // Runs a statement with parameters as a named prepared statement, prepared on first use.
    Result query(const std::string& sql, const Params& params = {});
    // Runs a statement with parameters without preparing it (one-off statements).
    Result queryOnce(const std::string& sql, const Params& params = {});

    // COPY ... TO STDOUT: calls onRow for every row of text-format output; returns the row count.
    template <class F>
    std::int64_t copyOut(const std::string& sql, F&& onChunk);

    void listen(const std::string& channel);
    // Waits for a NOTIFY (or until timeoutMs); returns true when one or more arrived.
    bool waitForNotification(int timeoutMs);

    bool ok() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
    PGconn* raw() const { return conn_.get(); }
    const std::string& url() const { return url_; }
    std::string quoteIdentifier(std::string_view name) const;
    // True when no transaction block is open: a statement run now commits on its own.
    bool autocommit() const { return PQtransactionStatus(conn_.get()) == PQTRANS_IDLE; }

    // Runs f once the work done so far is committed: at once outside a transaction block,
    // otherwise after pg::Transaction::commit() (dropped if the transaction rolls back).
    void afterCommit(std::function<void()> f);
    void committed();   // called by Transaction::commit()
    void rolledBack();  // called by Transaction's destructor

private:
    Result check(PGresult* r, const std::string& sql);
    std::string url_;
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
    std::unordered_map<std::string, std::string> prepared_;
    std::vector<std::function<void()>> afterCommit_;
};

// BEGIN on construction; ROLLBACK on destruction unless commit() was called. Made while a
// transaction block is already open (a command run inside another command's transaction), it
// joins that one: commit() and the destructor leave the outcome to whoever opened it.
class Transaction {
public:
    explicit Transaction(Connection& c, const char* begin = "BEGIN") : c_(c), joined_(!c.autocommit()) {
        if (!joined_) c_.exec(begin);
    }
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        done_ = true;
        if (joined_) return;
        c_.exec("COMMIT");
        c_.committed();
    }
    bool joined() const { return joined_; }
    Connection& connection() { return c_; }

private:
    Connection& c_;
    bool joined_;
    bool done_ = false;
};

// A fixed-size pool of connections shared by threads (the HTTP server's handlers).
class Pool {
public:
    Pool(std::string url, int size);
    class Lease {
    public:
        Lease(Pool& p, std::unique_ptr<Connection> c) : pool_(&p), c_(std::move(c)) {}
        Lease(Lease&& o) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        ~Lease();
        Connection& operator*() { return *c_; }
        Connection* operator->() { return c_.get(); }

    private:
        Pool* pool_;
        std::unique_ptr<Connection> c_;
    };
    Lease acquire();
    const std::string& url() const { return url_; }

private:
    void release(std::unique_ptr<Connection> c);
    std::string url_;
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<Connection>> idle_;
    int created_ = 0;
    int size_;
};

// Quotes a string as a SQL literal for the few statements that cannot take parameters.
std::string literal(std::string_view s);

template <class F>
std::int64_t Connection::copyOut(const std::string& sql, F&& onChunk) {
    check(PQexec(conn_.get(), sql.c_str()), sql);  // PGRES_COPY_OUT is accepted by check()
    std::int64_t rows = 0;
    for (;;) {
        char* buf = nullptr;
        const int n = PQgetCopyData(conn_.get(), &buf, 0);
        if (n == -1) break;
        if (n == -2) throw Error(PQerrorMessage(conn_.get()), "");
        onChunk(std::string_view(buf, static_cast<std::size_t>(n)));
        PQfreemem(buf);
        ++rows;
    }
    check(PQgetResult(conn_.get()), sql);
    while (PGresult* r = PQgetResult(conn_.get())) PQclear(r);
    return rows;
}

}  // namespace lms::pg
