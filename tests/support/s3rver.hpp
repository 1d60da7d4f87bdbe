#pragma once
// s3rver (an S3-compatible server, npm, tests/s3) on 127.0.0.1 and a port of its choosing, with
// one bucket, its data in a folder of its own; stopped and removed at the end of the test. It
// does not check SigV4 signatures: it proves the protocol (tests/s3/README.md).
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <memory>
#include <regex>
#include <stdexcept>
#include <string>

#include "common/secure.hpp"
#include "common/sha256.hpp"
#include "tests/support/process.hpp"

namespace lms::test {

class S3rver {
public:
    // s3Dir: tests/s3, where `npm ci` installed s3rver.
    explicit S3rver(const std::filesystem::path& s3Dir, const std::string& bucket = "certs")
        : dir_(std::filesystem::temp_directory_path() /
               ("lms-s3rver-" + std::to_string(::getpid()) + "-" + toHex(randomBytes(4)))) {
        namespace fs = std::filesystem;
        fs::create_directories(dir_);
        const auto node = test::onPath("node");
        if (node.empty()) throw std::runtime_error("node is not on PATH: ops/test installs it (lms_install_deps)");
        const auto script = s3Dir / "node_modules/s3rver/bin/s3rver.js";
        if (!fs::exists(script)) {
            throw std::runtime_error(script.string() + " is missing: run npm ci in tests/s3 (ops/test does)");
        }
        process_ = std::make_unique<test::Process>(
            std::vector<std::string>{node, script.string(), "--directory", dir_.string(), "--address", "127.0.0.1",
                                     "--port", "0", "--silent", "--configure-bucket", bucket},
            std::map<std::string, std::string>{});
        const auto line = process_->waitForLine("S3rver listening on", std::chrono::seconds(30));
        std::smatch m;
        if (!std::regex_search(line, m, std::regex(R"(127\.0\.0\.1:(\d+))"))) {
            throw std::runtime_error("s3rver said: " + line);
        }
        port_ = std::stoi(m[1]);
    }
    ~S3rver() {
        process_->kill(SIGTERM);
        process_->wait();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    S3rver(const S3rver&) = delete;
    S3rver& operator=(const S3rver&) = delete;

    int port() const { return port_; }
    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    std::filesystem::path dir_;
    std::unique_ptr<test::Process> process_;
    int port_ = 0;
};

}  // namespace lms::test
