#include "api/transport.hpp"

#include <utility>  // before Asio: Boost 1.74 uses std::exchange without including it (g++ 12, C++20)

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/metrics.hpp"

namespace lms::api {

namespace net = boost::asio;
using Tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

class Session;

const char* codeOf(int status) {
    switch (status) {
        case 408: return "request_timeout";
        case 413: return "body_too_large";
        case 431: return "headers_too_large";
        case 503: return "overloaded";
        default: return "bad_request";
    }
}

void count(const char* name, const char* help, const metrics::Labels& labels = {}) {
    metrics::Registry::global().increment(name, help, labels);
}

// The handler threads. A plain pool wakes a sleeping thread for every request, and on a machine
// with few cores those wake-ups (a context switch each) cost more than the requests: measured, half
// of the server's time. This one keeps about as many threads running as there are cores and lets
// them take request after request without sleeping; a thread more is woken only when work has
// waited longer than kStall (the running ones are blocked: in PostgreSQL, say), up to `threads`.
class WorkerPool {
public:
    using Job = std::function<void()>;
    WorkerPool(int threads, int active) : active_(std::max(1, active)) {
        for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
        monitor_ = std::thread([this] { watch(); });
    }
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;
    ~WorkerPool() { join(); }

    // False when `maxQueued` jobs are already waiting.
    bool post(Job job, std::size_t maxQueued) {
        std::unique_lock lock(m_);
        if (queue_.size() >= maxQueued) return false;
        queue_.push_back({std::move(job), std::chrono::steady_clock::now()});
        if (sleeping_ > 0 && running_ + waking_ < active_) {
            ++waking_;
            work_.notify_one();
        }
        if (monitorIdle_) monitorWake_.notify_one();
        return true;
    }

    // Runs what is queued, then stops the threads.
    void join() {
        {
            std::lock_guard lock(m_);
            if (stop_) return;
            stop_ = true;
        }
        work_.notify_all();
        monitorWake_.notify_all();
        for (auto& t : threads_) t.join();
        monitor_.join();
    }

private:
    static constexpr auto kStall = std::chrono::milliseconds(2);
    struct Queued {
        Job job;
        std::chrono::steady_clock::time_point at;
    };

    void work() {
        std::unique_lock lock(m_);
        for (;;) {
            while (queue_.empty() && !stop_) {
                ++sleeping_;
                work_.wait(lock);
                --sleeping_;
                if (waking_ > 0) --waking_;
            }
            if (queue_.empty()) return;  // stopping, and nothing left
            auto job = std::move(queue_.front().job);
            queue_.pop_front();
            ++running_;
            lock.unlock();
            job();
            job = nullptr;
            lock.lock();
            --running_;
        }
    }

    void watch() {
        std::unique_lock lock(m_);
        auto quietSince = std::chrono::steady_clock::now();
        while (!stop_) {
            const auto now = std::chrono::steady_clock::now();
            if (!queue_.empty()) {
                quietSince = now;
                if (now - queue_.front().at > kStall && sleeping_ > waking_) {
                    ++waking_;
                    work_.notify_one();
                }
            }
            if (now - quietSince > std::chrono::seconds(1)) {
                // Nothing queued for a second: sleep until a job arrives instead of every kStall.
                monitorIdle_ = true;
                monitorWake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
                monitorIdle_ = false;
                quietSince = std::chrono::steady_clock::now();
            } else {
                monitorWake_.wait_for(lock, kStall);
            }
        }
    }

    const int active_;
    std::mutex m_;
    std::condition_variable work_;
    std::condition_variable monitorWake_;
    std::deque<Queued> queue_;
    int sleeping_ = 0, running_ = 0, waking_ = 0;
    bool stop_ = false, monitorIdle_ = false;
    std::vector<std::thread> threads_;
    std::thread monitor_;
};

}  // namespace

struct Transport::Impl {
    TransportSettings s;
    std::shared_ptr<const http::Pipeline> pipeline;
    std::atomic<int> connections{0};
    std::atomic<bool> stopping{false};
    bool started = false;
    bool stopped = false;
    std::mutex sessionsMutex;
    std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
    // Declared after what sessions touch as they die: destroying the io_context destroys the
    // handlers still queued on it, and with them the last references to their sessions.
    net::io_context ioc;
    Tcp::acceptor acceptor;
    std::optional<WorkerPool> workers;
    std::vector<std::thread> ioThreads;

    Impl(TransportSettings settings, std::shared_ptr<const http::Pipeline> p)
        : s(std::move(settings)), pipeline(std::move(p)), acceptor(net::make_strand(ioc)) {}
    void accept();
    void gauge() {
        metrics::Registry::global().set("lms_http_connections_open", "Open HTTP connections", {},
                                        static_cast<double>(connections.load()));
    }
};

namespace {

// One connection: read a head within its deadline, let the pipeline admit it, read the body
// within its deadline, hand it to a worker, write the answer as one buffer, and either wait for
// the next request (keep-alive) or close gracefully. Every step runs on the connection's strand.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Transport::Impl& t, Tcp::socket socket)
        : t_(t), socket_(std::move(socket)), timer_(socket_.get_executor()), reader_(t.s.limits) {
        error_code ec;
        const auto remote = socket_.remote_endpoint(ec);
        if (!ec) peer_ = remote.address().to_string();
        socket_.set_option(Tcp::no_delay(true), ec);
    }
    ~Session() {
        --t_.connections;
        t_.gauge();
        std::lock_guard lock(t_.sessionsMutex);
        t_.sessions.erase(this);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void start() {
        net::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->nextRequest(); });
    }
    // On stop: a connection between requests (or still reading one) closes now; one whose request
    // is being handled closes after its answer.
    void shutdown() {
        net::post(socket_.get_executor(), [self = shared_from_this()] {
            std::lock_guard lock(self->offStrand_);  // a worker may be finishing an answer (answerFromWorker)
            if (self->phase_ == Phase::Idle || self->phase_ == Phase::Head || self->phase_ == Phase::Body) {
                self->closeNow();
            }
        });
    }

private:
    enum class Phase { Idle, Head, Body, Handling, Writing, Lingering, Closed };

    void nextRequest() {
        reader_.reset();
        exchange_ = http::Exchange{};
        if (t_.stopping) return closeNow();
        if (begin_ < pending_.size()) {  // a pipelined request is already here
            phase_ = Phase::Head;
            arm(t_.s.headerTimeoutMs);
            return pump();
        }
        phase_ = Phase::Idle;
        arm(t_.s.keepAliveTimeoutMs);
        read();
    }

    void read() {
        if (reading_) return;
        reading_ = true;
        socket_.async_read_some(net::buffer(chunk_),
                                [self = shared_from_this()](error_code ec, std::size_t n) { self->onRead(ec, n); });
    }

    void onRead(error_code ec, std::size_t n) {
        reading_ = false;
        if (phase_ == Phase::Lingering) {
            discarded_ += n;
            if (ec || discarded_ > kLingerBytes) return closeNow();
            return read();
        }
        if (phase_ != Phase::Idle && phase_ != Phase::Head && phase_ != Phase::Body) return;
        if (ec) return closeNow();  // the client went away, or a deadline cancelled the read
        if (begin_ == pending_.size()) {
            pending_.clear();
            begin_ = 0;
        }
        pending_.append(chunk_.data(), n);
        if (phase_ == Phase::Idle) {
            // The header deadline starts at the first byte and is not moved by the ones after it.
            phase_ = Phase::Head;
            exchange_.started = std::chrono::steady_clock::now();
            arm(t_.s.headerTimeoutMs);
        }
        pump();
    }

    // Feeds the reader what has arrived and acts on where it got to.
    void pump() {
        for (;;) {
            const auto used = reader_.feed(std::string_view(pending_).substr(begin_));
            begin_ += used;
            if (begin_ > 65536 && begin_ * 2 > pending_.size()) {
                pending_.erase(0, begin_);
                begin_ = 0;
            }
            switch (reader_.state()) {
                case http::RequestReader::State::Start:
                case http::RequestReader::State::Partial: return read();
                case http::RequestReader::State::Failed:
                    return refuse(reader_.failure().status, reader_.failure().reason);
                case http::RequestReader::State::Complete: return dispatch();
                case http::RequestReader::State::HeadReady:
                    if (!onHead()) return;
                    continue;  // the body may be in the buffer already
            }
        }
    }

    // Returns true when the body is to be read now.
    bool onHead() {
        if (auto early = t_.pipeline->admit(exchange_, reader_.head(), peer_)) {
            // A body left unread is never parsed as the next request: the connection closes.
            respond(*early, reader_.keepAlive() && !reader_.bodyAnnounced());
            return false;
        }
        reader_.readBody();
        if (reader_.state() == http::RequestReader::State::Complete) return true;
        phase_ = Phase::Body;
        arm(t_.s.bodyTimeoutMs);
        if (reader_.expectsContinue() && begin_ == pending_.size()) {
            static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                             [self = shared_from_this()](error_code ec, std::size_t) {
                                 if (ec) return self->closeNow();
                                 if (self->phase_ == Phase::Body) self->pump();
                             });
            return false;
        }
        return true;
    }

    void dispatch() {
        phase_ = Phase::Handling;
        disarm();
        const bool keepAlive = reader_.keepAlive();
        auto job = [self = shared_from_this(), body = reader_.takeBody(), keepAlive]() mutable {
            const auto res = self->t_.pipeline->complete(self->exchange_, std::move(body));
            const bool keep = keepAlive && !self->t_.stopping;
            self->answerFromWorker(self->t_.pipeline->finish(self->exchange_, res, keep), keep);
        };
        if (!t_.workers->post(std::move(job), static_cast<std::size_t>(t_.s.maxQueued))) {
            auto res = t_.pipeline->refuse(exchange_, 503, "overloaded", "the server is busy; try again shortly");
            res.headers.emplace_back("Retry-After", "1");
            count("lms_http_overloaded_total", "Requests refused because every worker was busy and the queue full");
            respond(res, false);
        }
    }

    // On the worker, once the answer is ready. Handing it back to an I/O thread costs a wake-up
    // per request, so the common case finishes here: the whole answer in one non-blocking send,
    // then the wait for the next request (its completion runs on the strand as usual). This is
    // safe because nothing else touches the connection while its request is handled: no read or
    // write is pending, the deadline is disarmed, and stop()'s shutdown() takes offStrand_.
    // Anything else (a partial send, a pipelined request waiting, close) goes to the strand.
    void answerFromWorker(std::string bytes, bool keepAlive) {
        if (keepAlive && begin_ == pending_.size()) {
            std::lock_guard lock(offStrand_);
            if (!t_.stopping) {
                std::size_t sent = 0;
                while (sent < bytes.size()) {
                    const auto n = ::send(socket_.native_handle(), bytes.data() + sent, bytes.size() - sent,
                                          MSG_DONTWAIT | MSG_NOSIGNAL);
                    if (n > 0) {
                        sent += static_cast<std::size_t>(n);
                    } else if (n < 0 && errno == EINTR) {
                        continue;
                    } else {
                        break;
                    }
                }
                if (sent == bytes.size()) return nextRequest();
                if (sent > 0) bytes.erase(0, sent);
                if (errno != EAGAIN && errno != EWOULDBLOCK) {
                    return net::post(socket_.get_executor(), [self = shared_from_this()] { self->closeNow(); });
                }
            }
        }
        net::post(socket_.get_executor(), [self = shared_from_this(), bytes = std::move(bytes), keepAlive]() mutable {
            self->write(std::move(bytes), keepAlive);
        });
    }

    void refuse(int status, const std::string& detail) {
        // The log line names what was refused, when the head got that far (escaped by the log).
        auto& req = exchange_.request;
        if (req.method.empty()) req.method = reader_.head().method;
        if (req.path.empty()) req.path = reader_.head().target.substr(0, reader_.head().target.find('?'));
        if (req.clientIp.empty()) req.clientIp = peer_;
        respond(t_.pipeline->refuse(exchange_, status, codeOf(status), detail), false);
    }

    void respond(const http::Response& res, bool keepAlive) {
        const bool keep = keepAlive && !t_.stopping;
        write(t_.pipeline->finish(exchange_, res, keep), keep);
    }

    void write(std::string bytes, bool keepAlive) {
        if (phase_ == Phase::Closed) return;
        phase_ = Phase::Writing;
        out_ = std::move(bytes);
        arm(t_.s.writeTimeoutMs);
        net::async_write(socket_, net::buffer(out_), [self = shared_from_this(), keepAlive](error_code ec, std::size_t) {
            if (ec) return self->closeNow();
            if (keepAlive && !self->t_.stopping) return self->nextRequest();
            self->linger();
        });
    }

    // Closes without losing the answer: shut the sending side, then read and drop what the
    // client still sends (a body we refused) for a while, so that the kernel does not answer
    // those bytes with a reset that can destroy the response before the client reads it.
    void linger() {
        phase_ = Phase::Lingering;
        error_code ec;
        socket_.shutdown(Tcp::socket::shutdown_send, ec);
        if (ec) return closeNow();
        discarded_ = 0;
        arm(kLingerMs);
        read();
    }

    void arm(int ms) {
        const auto generation = ++generation_;
        timer_.expires_after(std::chrono::milliseconds(ms));
        timer_.async_wait([self = shared_from_this(), generation](error_code ec) {
            if (ec || generation != self->generation_) return;
            self->onDeadline();
        });
    }
    void disarm() {
        ++generation_;
        timer_.cancel();
    }

    void onDeadline() {
        switch (phase_) {
            case Phase::Head:
            case Phase::Body: {
                // However the bytes trickled, the request took too long: one 408, then close.
                count("lms_http_timeouts_total", "Connections closed at a deadline",
                      {{"phase", phase_ == Phase::Head ? "header" : "body"}});
                error_code ignored;
                socket_.cancel(ignored);  // the pending read ends; onRead sees the phase has moved on
                return refuse(408, phase_ == Phase::Head ? "the request head took too long to arrive"
                                                         : "the request body took too long to arrive");
            }
            case Phase::Idle:
            case Phase::Writing:
            case Phase::Lingering: return closeNow();
            case Phase::Handling:
            case Phase::Closed: return;
        }
    }

    void closeNow() {
        if (phase_ == Phase::Closed) return;
        phase_ = Phase::Closed;
        disarm();
        error_code ignored;
        socket_.close(ignored);
    }

    static constexpr int kLingerMs = 2000;
    static constexpr std::size_t kLingerBytes = 65536;

    Transport::Impl& t_;
    Tcp::socket socket_;
    net::steady_timer timer_;
    std::string peer_;
    http::RequestReader reader_;
    http::Exchange exchange_;
    // Atomic: read on the strand (shutdown, a cancelled deadline) while a worker may set them.
    std::atomic<Phase> phase_{Phase::Idle};
    std::array<char, 16384> chunk_{};
    std::string pending_;  // bytes read and not yet parsed start at begin_
    std::size_t begin_ = 0;
    std::string out_;
    std::size_t discarded_ = 0;
    std::atomic<unsigned> generation_{0};
    std::mutex offStrand_;
    bool reading_ = false;
};

}  // namespace

void Transport::Impl::accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](error_code ec, Tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
        if (!ec) {
            if (stopping || connections.load() >= s.maxConnections) {
                // Past the bound a connection is closed at once rather than queued behind the others.
                count("lms_http_connections_refused_total", "Connections closed at accept: too many open");
                error_code ignored;
                socket.close(ignored);
            } else {
                ++connections;
                gauge();
                auto session = std::make_shared<Session>(*this, std::move(socket));
                {
                    std::lock_guard lock(sessionsMutex);
                    sessions.emplace(session.get(), session);
                }
                session->start();
            }
        } else {
            // EMFILE and the like: try again in a moment rather than spin, without holding the
            // I/O thread (a timer, not a sleep).
            spdlog::warn("http: accept failed: {}", ec.message());
            auto retry = std::make_shared<net::steady_timer>(acceptor.get_executor(), std::chrono::milliseconds(50));
            retry->async_wait([this, retry](error_code) { accept(); });
            return;
        }
        accept();
    });
}

Transport::Transport(TransportSettings settings, std::shared_ptr<const http::Pipeline> pipeline)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(pipeline))) {
    auto& s = impl_->s;
    // Every connection is a descriptor: use what the hard limit allows, and keep the connection
    // bound below it so that the database pool, Kafka and log files still get theirs.
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
        if (files.rlim_cur < files.rlim_max) {
            files.rlim_cur = files.rlim_max;
            ::setrlimit(RLIMIT_NOFILE, &files);
            ::getrlimit(RLIMIT_NOFILE, &files);
        }
        if (files.rlim_cur != RLIM_INFINITY) {
            const auto usable = static_cast<long long>(files.rlim_cur) - 128;
            s.maxConnections = static_cast<int>(std::max(16LL, std::min<long long>(s.maxConnections, usable)));
        }
    }
    if (s.ioThreads <= 0) s.ioThreads = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1U, 8U));
    const Tcp::endpoint at(net::ip::make_address(s.host), static_cast<unsigned short>(s.port));
    auto& a = impl_->acceptor;
    a.open(at.protocol());
    a.set_option(net::socket_base::reuse_address(true));
    a.bind(at);
    a.listen(net::socket_base::max_listen_connections);
}

Transport::~Transport() { stop(); }

void Transport::start() {
    auto& i = *impl_;
    if (i.started) return;
    i.started = true;
    i.workers.emplace(i.s.workers, static_cast<int>(std::max(1U, std::thread::hardware_concurrency())));
    net::post(i.acceptor.get_executor(), [&i] { i.accept(); });
    for (int n = 0; n < i.s.ioThreads; ++n) {
        i.ioThreads.emplace_back([&i] {
            auto guard = net::make_work_guard(i.ioc);
            i.ioc.run();
        });
    }
}

void Transport::stop() {
    auto& i = *impl_;
    if (!i.started || i.stopped) return;
    i.stopped = true;
    i.stopping = true;
    net::post(i.acceptor.get_executor(), [&i] {
        error_code ignored;
        i.acceptor.close(ignored);
    });
    std::vector<std::shared_ptr<Session>> open;
    {
        std::lock_guard lock(i.sessionsMutex);  // a session's destructor takes it: shut them down outside
        for (auto& [raw, weak] : i.sessions) {
            if (auto s = weak.lock()) open.push_back(std::move(s));
        }
    }
    for (auto& s : open) s->shutdown();
    open.clear();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(i.s.shutdownGraceMs);
    while (i.connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (i.connections.load() > 0)
        spdlog::warn("http: {} connections still open at the end of the grace", i.connections.load());
    i.workers->join();
    i.ioc.stop();
    for (auto& th : i.ioThreads) th.join();
    i.ioThreads.clear();
}

int Transport::port() const {
    error_code ec;
    const auto at = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : at.port();
}

}  // namespace lms::api
