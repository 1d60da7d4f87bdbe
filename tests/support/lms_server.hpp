#pragma once
// `lms serve` in a process of its own on port 0, against the test's database, with cheap Argon2id,
// high rate limits and its own data folder (removed afterwards): what the HTTP integration tests
// of every context talk to.
#include <csignal>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/ids.hpp"
#include "tests/support/lms_env.hpp"
#include "tests/support/process.hpp"

namespace lms::test {

class LmsServer {
public:
    // `serveArgs` follow `lms serve` (say {"--only", "api,projections"}).
    explicit LmsServer(const std::string& dbUrl, const std::string& secret,
                       const std::map<std::string, std::string>& extra = {},
                       const std::vector<std::string>& serveArgs = {}) {
        dataDir_ = std::filesystem::temp_directory_path() / ("lms-it-" + newUuid());
        env_ = test::lmsEnvironment(dbUrl, {{"LMS_HTTP_PORT", "0"},
                                            {"LMS_POLL_INTERVAL_MS", "50"},
                                            {"LMS_JWT_SECRET", secret},
                                            {"LMS_COOKIE_SECURE", "0"},
                                            {"LMS_DATA_DIR", dataDir_.string()},
                                            {"LMS_RATE_LOGIN_PER_MIN", "100000"},
                                            {"LMS_RATE_REGISTER_PER_MIN", "100000"},
                                            {"LMS_RATE_REFRESH_PER_MIN", "100000"},
                                            {"LMS_RATE_PASSWORD_RESET_PER_MIN", "100000"}});
        for (const auto& [k, v] : extra) env_[k] = v;
        std::vector<std::string> argv{test::lmsBinary(), "serve"};
        argv.insert(argv.end(), serveArgs.begin(), serveArgs.end());
        process_ = std::make_unique<test::Process>(argv, env_);
        const auto kafka = process_->waitForLine("kafka: embedded mock cluster at", std::chrono::seconds(60));
        const auto at = kafka.find(" at ") + 4;
        brokers_ = kafka.substr(at, kafka.find(' ', at) - at);
        const auto line = process_->waitForLine("http: listening on", std::chrono::seconds(60));
        port_ = std::stoi(line.substr(line.rfind(':') + 1));
        process_->waitForLine("lms: serving", std::chrono::seconds(60));
    }
    ~LmsServer() {
        if (!crashed_) {
            process_->kill(SIGTERM);
            process_->wait();
        }
        std::error_code ec;
        std::filesystem::remove_all(dataDir_, ec);
    }
    // kill -9: no shutdown of any kind.
    void crash() {
        process_->kill(SIGKILL);
        process_->wait();
        crashed_ = true;
    }
    int port() const { return port_; }
    const std::string& brokers() const { return brokers_; }
    const std::map<std::string, std::string>& env() const { return env_; }

private:
    std::filesystem::path dataDir_;
    std::map<std::string, std::string> env_;
    std::unique_ptr<test::Process> process_;
    int port_ = 0;
    std::string brokers_;
    bool crashed_ = false;
};

}  // namespace lms::test
