#include "common/secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/secure.hpp"
#include "common/sha256.hpp"

namespace lms {

std::string serverSecret(const Config& config) {
    if (!config.jwtSecret.empty()) return config.jwtSecret;
    namespace fs = std::filesystem;
    const fs::path path = fs::path(config.dataDir) / "jwt-secret";
    std::error_code ec;
    fs::create_directories(config.dataDir, ec);
    // O_EXCL: two processes starting at once agree on whichever secret was written first.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd >= 0) {
        std::string hex;
        try {
            hex = toHex(randomBytes(32));
        } catch (const std::runtime_error&) {
            ::close(fd);
            throw ConfigError("LMS_JWT_SECRET is unset and no random secret could be made");
        }
        const bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
        ::close(fd);
        if (!ok) throw ConfigError("LMS_JWT_SECRET is unset and " + path.string() + " could not be written");
    }
    for (int attempt = 0; attempt < 50; ++attempt) {
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string s = ss.str();
        while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
        if (s.size() >= 32) return s;
        ::usleep(20000);  // another process is writing it
    }
    throw ConfigError("LMS_JWT_SECRET is unset and " + path.string() + " does not hold a secret of 32 bytes or more");
}

}  // namespace lms
