#pragma once
// A real SMTP server for the tests: aiosmtpd (Debian's python3-aiosmtpd) running
// tests/it/smtp_sink.py, which writes each message it receives as JSON into a folder.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace lms::test {

class SmtpSink {
public:
    // script: tests/it/smtp_sink.py; extra: its options (--cert, --key, --user, ...).
    SmtpSink(const std::string& script, const std::filesystem::path& dir, std::vector<std::string> extra = {})
        : dir_(dir) {
        std::filesystem::create_directories(dir_);
        std::vector<std::string> argv{"/usr/bin/python3", script, "--dir", dir_.string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        process_ = std::make_unique<test::Process>(argv, std::map<std::string, std::string>{});
        const auto line = process_->waitForLine("smtp sink listening on", std::chrono::seconds(30));
        port_ = std::stoi(line.substr(line.rfind(':') + 1));
    }
    int port() const { return port_; }
    // Every message received so far, in order of arrival (the JSON written by smtp_sink.py).
    std::vector<nlohmann::json> messages() const {
        std::set<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(dir_)) {
            if (e.path().extension() == ".json" && e.path().filename().string()[0] != '.') files.insert(e.path());
        }
        std::vector<nlohmann::json> out;
        for (const auto& f : files) out.push_back(nlohmann::json::parse(std::ifstream(f)));
        return out;
    }
    static const nlohmann::json* byMessageId(const std::vector<nlohmann::json>& all, const std::string& triggerId) {
        for (const auto& m : all) {
            if (m["headers"].value("Message-ID", "") == "<" + triggerId + "@lms>") return &m;
        }
        return nullptr;
    }

private:
    std::filesystem::path dir_;
    std::unique_ptr<test::Process> process_;
    int port_ = 0;
};

}  // namespace lms::test
