// Event store appends, catch-up reads and rebuilds against PostgreSQL's own limits.
//
// The absolute numbers belong to the machine and the cluster's settings, so each append and read
// figure is a ratio to what the same cluster does with the same bytes in the same run: one-row
// INSERTs for appends, COPY for the catch-up read. The rebuild has an absolute goal (events per
// second): how long operators wait for `lms replay`. bench/README.md explains each part.
// Run it through `ops/bench eventstore`; it reads the cluster from LMS_BENCH_DATABASE_URL and
// works in a database of its own, dropped at the end. The output ends with one line per target:
//   target NAME: VALUE (goal ≥ GOAL) ok|short
#include <libpq-fe.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <latch>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/allocator.hpp"
#include "common/ids.hpp"
#include "eventstore/event_store.hpp"
#include "projections/runner.hpp"
#include "projections/stream_activity.hpp"

namespace lms::bench {
namespace {

using Clock = std::chrono::steady_clock;
using eventstore::EventStore;
using eventstore::ExpectedVersion;
using eventstore::GlobalPosition;
using eventstore::NewEvent;

// Appending writers start a new stream after this many events: aggregates are short streams.
constexpr std::int64_t kEventsPerStream = 16;
// The fill writes streams of this length, a few events per lms_append call, round by round over
// every stream, so that the global order interleaves streams the way live traffic does (which
// is the harder case for a projection: a batch touches many rows).
constexpr int kFillStreamLength = 10;
constexpr int kFillEventsPerCall = 2;
constexpr int kFillStreamsPerStatement = 2000;
// Stream categories of several contexts, so that the projection's context column varies.
constexpr const char* kFillCategories[] = {"enrollment", "progress", "course", "user", "submission"};

struct Options {
    double seconds = 2;             // each append measurement
    int appendRounds = 5;           // store/raw pairs per writer count
    int rounds = 3;                 // read/COPY pairs, and rebuilds
    std::int64_t events = 1000000;  // in the store for the read and rebuild measurements
    int batch = 5000;               // readAll's limit and the rebuild's batch size
    std::vector<int> writers{1, 8, 32};
    bool append = true, read = true, rebuild = true;
    // SQL run in the bench database after the migrations: measures a change to the schema or to
    // lms_append (a new CREATE OR REPLACE FUNCTION, say) before it is made a migration.
    std::string trySqlFile;
};

[[noreturn]] void usage(const std::string& bad) {
    std::fprintf(stderr,
                 "bench_eventstore: bad argument '%s'\n"
                 "usage: bench_eventstore [--seconds=S] [--append-rounds=N] [--rounds=N] [--events=N] [--batch=N]\n"
                 "                        [--writers=1,8,32] [--parts=append,read,rebuild] [--try-sql=FILE]\n",
                 bad.c_str());
    std::exit(2);
}

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, ',');) out.push_back(item);
    return out;
}

Options parseOptions(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const auto eq = a.find('=');
        if (a.rfind("--", 0) != 0 || eq == std::string::npos) usage(a);
        const std::string key = a.substr(2, eq - 2);
        const std::string value = a.substr(eq + 1);
        try {
            if (key == "seconds") {
                o.seconds = std::stod(value);
            } else if (key == "append-rounds") {
                o.appendRounds = std::stoi(value);
            } else if (key == "rounds") {
                o.rounds = std::stoi(value);
            } else if (key == "events") {
                o.events = std::stoll(value);
            } else if (key == "batch") {
                o.batch = std::stoi(value);
            } else if (key == "writers") {
                o.writers.clear();
                for (const auto& w : split(value)) o.writers.push_back(std::stoi(w));
            } else if (key == "try-sql") {
                o.trySqlFile = value;
            } else if (key == "parts") {
                o.append = o.read = o.rebuild = false;
                for (const auto& p : split(value)) {
                    if (p == "append") {
                        o.append = true;
                    } else if (p == "read") {
                        o.read = true;
                    } else if (p == "rebuild") {
                        o.rebuild = true;
                    } else {
                        usage(a);
                    }
                }
            } else {
                usage(a);
            }
        } catch (const std::logic_error&) {  // stoi and friends on a malformed number
            usage(a);
        }
    }
    if (o.seconds <= 0 || o.rounds < 1 || o.appendRounds < 1 || o.batch < 1 || o.events < 0)
        usage("a value out of range");
    return o;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The text after "key<spaces>:" on the first line of `file` that starts with `key`.
std::string procField(const char* file, const std::string& key) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(key, 0) != 0) continue;
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        const auto start = line.find_first_not_of(" \t", colon + 1);
        return start == std::string::npos ? "" : line.substr(start);
    }
    return "unknown";
}

void printMachine(pg::Connection& c) {
    cpu_set_t set;
    CPU_ZERO(&set);
    const int cores = sched_getaffinity(0, sizeof set, &set) == 0
                          ? CPU_COUNT(&set)
                          : static_cast<int>(std::thread::hardware_concurrency());
    std::printf("machine: %d cores (nproc), CPU %s, memory %s\n", cores,
                procField("/proc/cpuinfo", "model name").c_str(), procField("/proc/meminfo", "MemTotal").c_str());
    const auto r = c.exec(
        "SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit'), "
        "current_setting('full_page_writes'), current_setting('shared_buffers'), current_setting('wal_sync_method')");
    std::printf(
        "postgresql %s: fsync=%s synchronous_commit=%s full_page_writes=%s shared_buffers=%s "
        "wal_sync_method=%s\n",
        r.str(0, 0).c_str(), r.str(0, 1).c_str(), r.str(0, 2).c_str(), r.str(0, 3).c_str(), r.str(0, 4).c_str(),
        r.str(0, 5).c_str());
}

// A conninfo value in single quotes, with the backslash escapes libpq expects there.
std::string conninfoValue(const std::string& v) {
    std::string out = "'";
    for (const char ch : v) {
        if (ch == '\\' || ch == '\'') out.push_back('\\');
        out.push_back(ch);
    }
    return out + "'";
}

// The conninfo `conninfo` with its database replaced by `dbname`.
std::string withDatabase(const std::string& conninfo, const std::string& dbname) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (opts == nullptr) {
        const std::string msg = err != nullptr ? err : "bad conninfo";
        PQfreemem(err);
        throw std::runtime_error("LMS_BENCH_DATABASE_URL: " + msg);
    }
    std::string out;
    for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
        if (o->val == nullptr || std::string(o->keyword) == "dbname") continue;
        out += std::string(o->keyword) + "=" + conninfoValue(o->val) + " ";
    }
    PQconninfoFree(opts);
    return out + "dbname=" + dbname;
}

// A database of the benchmark's own on the cluster, migrated on creation and dropped at the end.
class BenchDatabase {
public:
    explicit BenchDatabase(std::string adminUrl) : admin_(std::move(adminUrl)) {
        name_ = "lms_bench_" + newUuid().substr(24);
        pg::Connection admin(admin_);
        admin.exec("CREATE DATABASE " + name_);
        url_ = withDatabase(admin_, name_);
        pg::Connection c(url_);
        eventstore::migrate(c);
        c.exec(
            "CREATE TABLE bench_raw (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            "data jsonb NOT NULL, metadata jsonb NOT NULL)");
    }
    ~BenchDatabase() {
        try {
            pg::Connection admin(admin_);
            admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
        } catch (const std::exception& e) {
            std::fprintf(stderr, "bench_eventstore: could not drop %s: %s\n", name_.c_str(), e.what());
        }
    }
    BenchDatabase(const BenchDatabase&) = delete;
    BenchDatabase& operator=(const BenchDatabase&) = delete;
    const std::string& url() const { return url_; }

private:
    std::string admin_;
    std::string name_;
    std::string url_;
};

// The bytes of one representative event: a lecture completed in an enrollment, with the
// metadata every event carries. The raw baseline stores exactly these bytes.
struct EventBody {
    std::string data;
    std::string metadata;
};

EventBody sampleEvent() {
    return {R"({"enrollmentId":")" + newUuid() + R"(","courseId":")" + newUuid() + R"(","lectureId":")" + newUuid() +
                R"(","completedAt":"2026-11-23T09:36:09.123456Z","watchedSeconds":612})",
            R"({"actorId":"user-)" + newUuid() + R"(","correlationId":")" + newUuid() + R"(","causationId":")" +
                newUuid() + R"("})"};
}

// One event per call, as a command appends it: into a new stream every kEventsPerStream events,
// with the version the writer knows as the expected one (no-stream first, then exact).
class StoreAppender {
public:
    StoreAppender(pg::Connection& c, const EventBody& body) : store_(c), body_(body) {}
    void operator()() {
        if (stream_.empty() || version_ == kEventsPerStream) {
            stream_ = "progress-" + newUuid();
            version_ = 0;
        }
        const auto expected = version_ == 0 ? ExpectedVersion::noStream()
                                            : ExpectedVersion::exact(domain::StreamVersion(version_));
        const auto r = store_.append(stream_, expected,
                                     {NewEvent{newUuid(), "LectureCompleted", 1, body_.data, body_.metadata}});
        if (!r) throw std::runtime_error("unexpected append conflict on " + stream_);
        version_ = r->version.value();
    }

private:
    EventStore store_;
    const EventBody& body_;
    std::string stream_;
    std::int64_t version_ = 0;
};

// The limit an append is held against: one prepared single-row INSERT of the same bytes per
// autocommit transaction.
class RawInserter {
public:
    RawInserter(pg::Connection& c, const EventBody& body) : c_(c), body_(body) {}
    void operator()() {
        c_.query("INSERT INTO bench_raw (data, metadata) VALUES ($1, $2)", {body_.data, body_.metadata});
    }

private:
    pg::Connection& c_;
    const EventBody& body_;
};

// Runs `writers` threads, each with a connection of its own and an operation made on it by
// makeOp(connection), for `seconds` from the moment all have connected and run one operation
// (the warm-up prepares the statements); returns operations per second.
template <class MakeOp>
double runWriters(const std::string& url, int writers, double seconds, MakeOp makeOp) {
    std::latch ready(writers);
    std::latch start(1);
    Clock::time_point deadline;
    std::atomic<std::int64_t> total{0};
    std::mutex errorMutex;
    std::exception_ptr error;
    std::vector<std::thread> threads;
    threads.reserve(static_cast<std::size_t>(writers));
    for (int i = 0; i < writers; ++i) {
        threads.emplace_back([&] {
            bool counted = false;
            try {
                pg::Connection c(url);
                auto op = makeOp(c);
                op();
                ready.count_down();
                counted = true;
                start.wait();
                std::int64_t n = 0;
                while (Clock::now() < deadline) {
                    op();
                    ++n;
                }
                total += n;
            } catch (...) {
                std::lock_guard lock(errorMutex);
                if (!error) error = std::current_exception();
                if (!counted) ready.count_down();
            }
        });
    }
    ready.wait();
    const auto t0 = Clock::now();
    deadline = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(error ? 0 : seconds));
    start.count_down();
    for (auto& t : threads) t.join();
    const double elapsed = secondsSince(t0);
    if (error) std::rethrow_exception(error);
    return static_cast<double>(total.load()) / elapsed;
}

struct Target {
    std::string name;
    double value;
    double goal;
    int decimals;
};

std::string formatTarget(const Target& t) {
    char line[200];
    std::snprintf(line, sizeof line, "target %s: %.*f (goal \u2265 %.*f) %s", t.name.c_str(), t.decimals, t.value,
                  t.decimals == 0 ? 0 : 1, t.goal, t.value >= t.goal ? "ok" : "short");
    return line;
}

void benchAppends(const Options& o, const std::string& url, std::vector<Target>& targets) {
    const EventBody body = sampleEvent();
    std::printf(
        "\n== appends: one event per autocommit append vs one-row INSERT of the same bytes "
        "(data %zu B, metadata %zu B), %.0f s each, %d rounds\n",
        body.data.size(), body.metadata.size(), o.seconds, o.appendRounds);
    const auto store = [&](int writers) {
        return runWriters(url, writers, o.seconds, [&](pg::Connection& c) { return StoreAppender(c, body); });
    };
    const auto raw = [&](int writers) {
        return runWriters(url, writers, o.seconds, [&](pg::Connection& c) { return RawInserter(c, body); });
    };
    for (const int w : o.writers) {
        std::vector<double> storeRates, rawRates, ratios;
        for (int r = 0; r < o.appendRounds; ++r) {
            // Short pairs, many of them, alternating which runs first: a pair sees nearly the same
            // machine (it is shared, and its disk too), and a drift in its speed favours neither.
            double s = 0, b = 0;
            if (r % 2 == 0) {
                s = store(w);
                b = raw(w);
            } else {
                b = raw(w);
                s = store(w);
            }
            storeRates.push_back(s);
            rawRates.push_back(b);
            ratios.push_back(s / b);
            std::printf("  %2d writers, round %d: store %8.0f appends/s   raw %8.0f inserts/s   ratio %.2f\n", w, r + 1,
                        s, b, s / b);
            std::fflush(stdout);
        }
        std::printf("  %2d writers, median: store %8.0f appends/s   raw %8.0f inserts/s   ratio %.2f\n", w,
                    median(storeRates), median(rawRates), median(ratios));
        targets.push_back({"append_" + std::to_string(w) + "w_ratio", median(ratios), 0.8, 2});
    }
}

std::string eventJson(const EventBody& body) {
    return R"({"id":")" + newUuid() + R"(","type":"LectureCompleted","schemaVersion":1,"data":)" + body.data +
           R"(,"metadata":)" + body.metadata + "}";
}

// Brings the store to `total` events through lms_append, many streams per statement (one
// transaction) from one connection per core. Returns the number of events written.
std::int64_t fill(const std::string& url, std::int64_t total, const EventBody& body) {
    pg::Connection c(url);
    const std::int64_t have = c.exec("SELECT count(*) FROM lms_events").i64(0, 0);
    const std::int64_t need = total - have;
    if (need <= 0) return 0;
    const std::int64_t streams = need / kFillStreamLength;
    const int threads = std::max(1u, std::thread::hardware_concurrency());
    const std::string sql =
        "SELECT count(*) FROM jsonb_array_elements($1::jsonb) AS x, LATERAL lms_append(x->>'s', -1, x->'e') AS a "
        "WHERE a.status = 0";
    std::mutex errorMutex;
    std::exception_ptr error;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&, t] {
            try {
                pg::Connection wc(url);
                std::vector<std::string> mine;
                for (std::int64_t i = t; i < streams; i += threads) {
                    mine.push_back(std::string(kFillCategories[i % std::size(kFillCategories)]) + "-" + newUuid());
                }
                for (int round = 0; round < kFillStreamLength / kFillEventsPerCall; ++round) {
                    for (std::size_t from = 0; from < mine.size(); from += kFillStreamsPerStatement) {
                        const auto to = std::min(mine.size(), from + kFillStreamsPerStatement);
                        std::string payload = "[";
                        for (auto i = from; i < to; ++i) {
                            if (i > from) payload += ',';
                            payload += R"({"s":")" + mine[i] + R"(","e":[)";
                            for (int k = 0; k < kFillEventsPerCall; ++k) payload += (k ? "," : "") + eventJson(body);
                            payload += "]}";
                        }
                        payload += ']';
                        const auto appended = wc.query(sql, {payload}).i64(0, 0);
                        if (appended != static_cast<std::int64_t>(to - from)) {
                            throw std::runtime_error("fill: lms_append refused some appends");
                        }
                        // lms_append's plans are cached per connection; planned on an empty table they
                        // scan it whole for the duplicate-id check until autovacuum's next ANALYZE (up
                        // to a minute away). Statistics from the first statement's rows avoid that.
                        if (round == 0 && from == 0) wc.exec("ANALYZE lms_events");
                    }
                }
            } catch (...) {
                std::lock_guard lock(errorMutex);
                if (!error) error = std::current_exception();
            }
        });
    }
    for (auto& w : workers) w.join();
    if (error) std::rethrow_exception(error);
    // What does not divide into whole streams goes into one last, shorter stream.
    const auto rest = static_cast<int>(need - streams * kFillStreamLength);
    if (rest > 0) {
        std::vector<NewEvent> events;
        for (int k = 0; k < rest; ++k) events.push_back({newUuid(), "LectureCompleted", 1, body.data, body.metadata});
        EventStore store(c);
        if (!store.append("progress-" + newUuid(), ExpectedVersion::noStream(), events)) {
            throw std::runtime_error("fill: the last append conflicted");
        }
    }
    return need;
}

// A pass over the store stops after this long: a reader whose cost grows with the store's size
// would otherwise keep the benchmark from finishing. Its rate is then that of the part it read.
constexpr double kPassCapSeconds = 60;
// A reader that has made no progress for this long while nothing else runs has skipped events.
constexpr double kStallSeconds = 10;

struct ReadRun {
    std::int64_t events = 0;
    double seconds = 0;
    bool capped = false;  // stopped after kPassCapSeconds
    std::string problem;  // non-empty when the pass did not hand out every event exactly once
    double rate() const { return static_cast<double>(events) / seconds; }
};

// The whole global order (`total` events) through EventStore::readAll, `batch` events per call,
// as a catching-up subscriber reads it. A batch may come back short, even empty, while another
// transaction holds the snapshot's xmin back (an autovacuum worker's, say): the reader then asks
// again, as a subscriber would, and the wait counts. The pass checks what a subscriber relies
// on: positions strictly increase, and every event arrives.
ReadRun readAllOnce(pg::Connection& c, int batch, std::int64_t total) {
    ReadRun run;
    EventStore store(c);
    GlobalPosition at{};
    const auto t0 = Clock::now();
    auto progressed = t0;
    while (run.events < total) {
        const auto events = store.readAll(at, batch);
        const auto now = Clock::now();
        if (!events.empty()) {
            progressed = now;
            for (const auto& e : events) {
                if (!(at < e.global)) run.problem = "positions went backwards at " + e.global.toString();
                at = e.global;
            }
            run.events += static_cast<std::int64_t>(events.size());
        }
        if (!run.problem.empty()) break;
        if (std::chrono::duration<double>(now - progressed).count() > kStallSeconds) {
            run.problem = "no event after " + at.toString() + " for " + std::to_string(int(kStallSeconds)) +
                          " s: readAll skipped " + std::to_string(total - run.events) + " of " + std::to_string(total) +
                          " events";
            break;
        }
        if (std::chrono::duration<double>(now - t0).count() > kPassCapSeconds) {
            run.capped = true;
            break;
        }
    }
    run.seconds = secondsSince(t0);
    if (run.problem.empty()) {
        // Everything up to where the reader got must have reached it: a reader that skips events
        // (out of order) can still come out with the right count at the end.
        const auto before = c.query("SELECT count(*) FROM lms_events WHERE (tx_id, position) <= ($1::text::xid8, $2)",
                                    {std::to_string(at.txId), std::to_string(at.position)})
                                .i64(0, 0);
        if (before != run.events) {
            run.problem = "readAll handed out " + std::to_string(run.events) + " events up to " + at.toString() +
                          " but " + std::to_string(before) + " precede it: it skipped " +
                          std::to_string(before - run.events);
        }
    }
    return run;
}

// The columns readAll selects, in the global order, in one COPY: what PostgreSQL can hand out at
// most.
ReadRun copyOnce(pg::Connection& c) {
    ReadRun run;
    std::int64_t bytes = 0;
    const auto t0 = Clock::now();
    run.events = c.copyOut(std::string("COPY (SELECT ") + eventstore::kEventColumns +
                               " FROM lms_events ORDER BY lms_events.tx_id, lms_events.position) TO STDOUT",
                           [&](std::string_view row) { bytes += static_cast<std::int64_t>(row.size()); });
    run.seconds = secondsSince(t0);
    if (bytes == 0 && run.events > 0) run.problem = "COPY returned empty rows";
    return run;
}

std::string describe(const ReadRun& r) {
    char line[160];
    std::snprintf(line, sizeof line, "%lld events in %.2f s (%8.0f/s)%s", static_cast<long long>(r.events), r.seconds,
                  r.rate(), r.capped ? ", stopped at the time cap" : "");
    return line;
}

void benchReads(const Options& o, pg::Connection& c, std::int64_t total, std::vector<Target>& targets) {
    std::printf(
        "\n== catch-up read: EventStore::readAll(after, %d) over the whole store vs one COPY of the "
        "same columns in the same order, %d rounds\n",
        o.batch, o.rounds);
    copyOnce(c);  // brings the table into the page cache for both
    std::vector<double> ratios;
    for (int r = 0; r < o.rounds; ++r) {
        ReadRun read, copy;
        if (r % 2 == 0) {
            read = readAllOnce(c, o.batch, total);
            copy = copyOnce(c);
        } else {
            copy = copyOnce(c);
            read = readAllOnce(c, o.batch, total);
        }
        ratios.push_back(read.rate() / copy.rate());  // = COPY time / readAll time for the same events
        std::printf("  round %d: readAll %s   COPY %s   ratio %.2f\n", r + 1, describe(read).c_str(),
                    describe(copy).c_str(), ratios.back());
        std::fflush(stdout);
        if (!read.problem.empty() || !copy.problem.empty()) {
            std::printf("  BROKEN: %s\n", (read.problem.empty() ? copy.problem : read.problem).c_str());
            targets.push_back({"readall_vs_copy_ratio", 0, 0.5, 2});
            return;
        }
        if (read.capped) {
            std::printf("  one round only: a pass takes longer than the cap\n");
            break;
        }
    }
    std::printf("  median ratio %.2f\n", median(ratios));
    targets.push_back({"readall_vs_copy_ratio", median(ratios), 0.5, 2});
}

struct RebuildCapped {};

void benchRebuild(const Options& o, pg::Connection& c, std::int64_t total, std::vector<Target>& targets) {
    std::printf("\n== rebuild: projections::rebuild(StreamActivity, batch %d) over the whole store, %d rounds\n",
                o.batch, o.rounds);
    projections::StreamActivity projection(domain::StreamCategories{});
    std::vector<double> rates;
    for (int r = 0; r < o.rounds; ++r) {
        std::int64_t events = 0;
        bool capped = false;
        const auto t0 = Clock::now();
        try {
            events = projections::rebuild(
                c, projection,
                [&](const projections::ReplayProgress& p) {
                    events = p.done;
                    if (secondsSince(t0) > kPassCapSeconds && p.done < p.total) throw RebuildCapped{};
                },
                o.batch);
        } catch (const RebuildCapped&) {
            capped = true;
        }
        const double seconds = secondsSince(t0);
        rates.push_back(static_cast<double>(events) / seconds);
        std::printf("  round %d: %lld events in %.2f s (%8.0f events/s)%s\n", r + 1, static_cast<long long>(events),
                    seconds, rates.back(), capped ? ", stopped at the time cap" : "");
        std::fflush(stdout);
        if (capped) {
            std::printf("  one round only: a rebuild takes longer than the cap\n");
            break;
        }
        // Every stream of the store must have its row: a rebuild that skipped events has fewer.
        const auto streams = c.exec("SELECT count(*) FROM lms_streams").i64(0, 0);
        const auto rows = c.exec("SELECT count(*) FROM lms_rm.stream_activity").i64(0, 0);
        if (events != total || rows != streams) {
            std::printf("  BROKEN: the rebuild applied %lld of %lld events and built %lld of %lld stream rows\n",
                        static_cast<long long>(events), static_cast<long long>(total), static_cast<long long>(rows),
                        static_cast<long long>(streams));
            targets.push_back({"rebuild_events_per_s", 0, 100000, 0});
            return;
        }
    }
    std::printf("  median: %8.0f events/s\n", median(rates));
    targets.push_back({"rebuild_events_per_s", median(rates), 100000, 0});
}

int run(const Options& o) {
    const char* admin = std::getenv("LMS_BENCH_DATABASE_URL");
    if (admin == nullptr || *admin == '\0') {
        std::fprintf(stderr,
                     "bench_eventstore: LMS_BENCH_DATABASE_URL is not set: run it through ops/bench eventstore\n");
        return 2;
    }
    const auto started = Clock::now();
    BenchDatabase db(admin);
    // As in lms serve: subscribers are woken after appends commit, by a coalescing notifier.
    eventstore::Notifier notifier(db.url());
    notifier.install();
    pg::Connection c(db.url());
    printMachine(c);
    if (!o.trySqlFile.empty()) {
        std::ifstream in(o.trySqlFile);
        if (!in) throw std::runtime_error("cannot read " + o.trySqlFile);
        std::stringstream sql;
        sql << in.rdbuf();
        c.exec(sql.str());
        std::printf("ran %s after the migrations: these figures are for that variant\n", o.trySqlFile.c_str());
    }
    std::fflush(stdout);

    // The store is filled first so that appends are measured against a store of realistic size
    // (and its indexes' depth), after the read and the rebuild, which then see exactly the fill.
    std::vector<Target> targets;
    if (o.events > 0) {
        const auto t0 = Clock::now();
        const auto written = fill(db.url(), o.events, sampleEvent());
        const double fillSeconds = secondsSince(t0);
        const auto t1 = Clock::now();
        // Autovacuum would do this soon after a bulk load; done here, it does not land in a measurement.
        c.exec("VACUUM (ANALYZE) lms_events, lms_streams");
        c.exec("CHECKPOINT");
        std::printf(
            "\n== fill: %lld events written in %.1f s (%.0f events/s), vacuum and checkpoint %.1f s; "
            "the store holds %lld events, %s\n",
            static_cast<long long>(written), fillSeconds, static_cast<double>(written) / fillSeconds, secondsSince(t1),
            static_cast<long long>(c.exec("SELECT count(*) FROM lms_events").i64(0, 0)),
            c.exec("SELECT pg_size_pretty(pg_total_relation_size('lms_events'))").str(0, 0).c_str());
        std::fflush(stdout);
    }
    const std::int64_t total = c.exec("SELECT count(*) FROM lms_events").i64(0, 0);
    if ((o.read || o.rebuild) && total == 0) throw std::runtime_error("the read and the rebuild need --events > 0");
    if (o.read) benchReads(o, c, total, targets);
    if (o.rebuild) benchRebuild(o, c, total, targets);
    if (o.append) benchAppends(o, db.url(), targets);

    std::printf("\nran in %.0f s\n", secondsSince(started));
    for (const auto& t : targets) std::printf("%s\n", formatTarget(t).c_str());
    return 0;
}

}  // namespace
}  // namespace lms::bench

int main(int argc, char** argv) {
    lms::tuneAllocator();  // as lms itself does
    try {
        return lms::bench::run(lms::bench::parseOptions(argc, argv));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_eventstore: %s\n", e.what());
        return 1;
    }
}
