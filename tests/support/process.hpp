#pragma once
// Child processes for the tests that need the real `lms` binary (LMS_BIN, set by ops/test):
// started with extra environment, stdout readable line by line, killed as a crash would.
#include <sys/types.h>

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lms::test {

std::string lmsBinary();
// The absolute path of an executable found on PATH ("node"), or "" (Process execs without a PATH search).
std::string onPath(const std::string& name);

class Process {
public:
    Process(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            bool mergeStderr = false);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    // The next line of stdout, or throws after the timeout.
    std::string readLine(std::chrono::milliseconds timeout);
    // Reads lines until one contains `needle`; returns it. A timeout's message names the needle
    // and the last lines the child wrote.
    std::string waitForLine(const std::string& needle, std::chrono::milliseconds timeout);
    void kill(int signal);
    // Waits for exit; returns the exit status (128 + signal when killed).
    int wait();
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int out_ = -1;
    std::string buffer_;
    std::deque<std::string> recent_;  // the last lines read, for the message of a timeout
    bool reaped_ = false;
    int status_ = 0;
};

// Runs `lms args...` to completion with env added; returns its exit status and its output
// (stdout and stderr).
std::pair<int, std::string> runLms(const std::vector<std::string>& args, const std::map<std::string, std::string>& env);

}  // namespace lms::test
