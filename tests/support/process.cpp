#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace lms::test {

std::string lmsBinary() {
    const char* b = std::getenv("LMS_BIN");
    if (b == nullptr || *b == '\0') throw std::runtime_error("LMS_BIN is not set: run the tests through ops/test");
    return b;
}

Process::Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env, bool mergeStderr) {
    // Everything the child needs is made before fork(): a test process has other threads (a
    // stand-in's server, Kafka clients), and a child that allocated (setenv, a vector) could wait
    // forever on an allocator lock one of them held at the fork. Between fork and exec the child
    // calls only async-signal-safe functions.
    std::vector<std::string> entries;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry(*e);
        const auto eq = entry.find('=');
        if (eq != std::string::npos && env.count(entry.substr(0, eq)) != 0) continue;
        entries.push_back(entry);
    }
    for (const auto& [k, v] : env) entries.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : entries) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> args(argv);
    std::vector<char*> argp;
    for (auto& a : args) argp.push_back(a.data());
    argp.push_back(nullptr);
    static constexpr char kExecFailed[] = "execve failed\n";

    int fds[2];
    // Close-on-exec: no other child started meanwhile inherits either end (dup2 clears the flag
    // on the child's stdout).
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        dup2(fds[1], STDOUT_FILENO);
        if (mergeStderr) dup2(fds[1], STDERR_FILENO);
        execve(argp[0], argp.data(), envp.data());
        (void)!write(STDERR_FILENO, kExecFailed, sizeof kExecFailed - 1);
        _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
}

Process::~Process() {
    if (!reaped_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait();
    }
    if (out_ >= 0) close(out_);
}

std::string onPath(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        auto end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        const auto dir = dirs.substr(start, end - start);
        auto candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        start = end + 1;
    }
    return {};
}

std::string Process::readLine(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            recent_.push_back(line);
            if (recent_.size() > 12) recent_.pop_front();
            return line;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) throw std::runtime_error("timed out waiting for the child's output");
        pollfd p{out_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        char buf[4096];
        const ssize_t n = read(out_, buf, sizeof buf);
        if (n <= 0) throw std::runtime_error("the child closed its output (exited?)");
        buffer_.append(buf, static_cast<std::size_t>(n));
    }
}

std::string Process::waitForLine(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        std::string line;
        try {
            line = readLine(left);
        } catch (const std::runtime_error& e) {
            std::string message = std::string(e.what()) + " (waiting for \"" + needle + "\"); its last lines:";
            for (const auto& l : recent_) message += "\n  " + l;
            if (recent_.empty()) message += " none";
            throw std::runtime_error(message);
        }
        if (line.find(needle) != std::string::npos) return line;
    }
}

void Process::kill(int signal) {
    if (!reaped_) ::kill(pid_, signal);
}

int Process::wait() {
    if (reaped_) return status_;
    int st = 0;
    waitpid(pid_, &st, 0);
    reaped_ = true;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return status_;
}

std::pair<int, std::string> runLms(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    std::vector<std::string> argv{lmsBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    Process p(argv, env, true);
    std::string out;
    try {
        for (;;) out += p.readLine(std::chrono::seconds(120)) + "\n";
    } catch (const std::exception&) {  // the child closed its output: it has finished
    }
    return {p.wait(), out};
}

}  // namespace lms::test
