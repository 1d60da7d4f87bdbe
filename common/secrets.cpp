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
namespace {

// What <data dir>/<file> holds: a random 32-byte secret as 64 hex characters, written with mode
// 0600 by whichever process comes first. `valid` says whether the file's content can be used;
// `what` describes a valid content in the error message.
template <typename Valid>
std::string generatedSecret(const Config& config, const char* file, const char* variable, Valid valid,
                            const char* what) {
    namespace fs = std::filesystem;
    const fs::path path = fs::path(config.dataDir) / file;
    const std::string unset = std::string(variable) + " is unset and ";
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
            throw ConfigError(unset + "no random secret could be made");
        }
        const bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
        ::close(fd);
        if (!ok) throw ConfigError(unset + path.string() + " could not be written");
    }
    for (int attempt = 0; attempt < 50; ++attempt) {
        std::ifstream in(path);
        std::stringstream ss;
        ss << in.rdbuf();
        std::string s = ss.str();
        while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
        if (valid(s)) return s;
        ::usleep(20000);  // another process is writing it
    }
    throw ConfigError(unset + path.string() + " does not hold " + what);
}

}  // namespace

std::string serverSecret(const Config& config) {
    if (!config.jwtSecret.empty()) return config.jwtSecret;
    return generatedSecret(
        config, "jwt-secret", "LMS_JWT_SECRET", [](const std::string& s) { return s.size() >= 32; },
        "a secret of 32 bytes or more");
}

namespace {

// A 32-byte key: the variable's value (Config::fromEnvironment has checked its form: 64 hex
// characters) or the one kept in <data dir>/<file>.
std::string hexKeyOrGenerated(const Config& config, const std::string& configured, const char* file,
                              const char* variable) {
    const std::string hex = !configured.empty()
                                ? configured
                                : generatedSecret(
                                      config, file, variable,
                                      [](const std::string& s) { return s.size() == 64 && fromHex(s).has_value(); },
                                      "a key of 64 hex characters");
    const auto key = fromHex(hex);
    if (!key || key->size() != 32) throw ConfigError(std::string(variable) + " must be 64 hex characters (32 bytes)");
    return *key;
}

}  // namespace

std::string masterKey(const Config& config) {
    return hexKeyOrGenerated(config, config.masterKey, "master-key", "LMS_MASTER_KEY");
}

std::string certificateSigningKey(const Config& config) {
    return hexKeyOrGenerated(config, config.certificateSigningKey, "certificate-signing-key",
                             "LMS_CERTIFICATE_SIGNING_KEY");
}

}  // namespace lms
