#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace lms {

// A bad setting: the message is one line naming the variable, printed as-is at start.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Everything `lms` reads from its environment. Each field's variable, default and meaning are
// documented in the README's configuration table and in .env.example.
struct Config {
    std::string databaseUrl;       // LMS_DATABASE_URL
    std::string kafkaBrokers;      // LMS_KAFKA_BROKERS: empty means the embedded mock cluster
    std::string topicPrefix;       // LMS_KAFKA_TOPIC_PREFIX
    std::string httpHost;          // LMS_HTTP_HOST
    int httpPort = 8080;           // LMS_HTTP_PORT (0 = any free port, printed at start)
    int httpThreads = 16;          // LMS_HTTP_THREADS
    int dbPoolSize = 8;            // LMS_DB_POOL_SIZE
    std::string logLevel;          // LMS_LOG_LEVEL
    std::string logFormat;         // LMS_LOG_FORMAT: plain | json
    std::string dataDir;           // LMS_DATA_DIR
    int relayBatch = 2000;         // LMS_RELAY_BATCH
    int pollIntervalMs = 500;      // LMS_POLL_INTERVAL_MS
    int maxBodyBytes = 65536;      // LMS_HTTP_MAX_BODY_BYTES
    std::vector<std::string> corsOrigins;  // LMS_CORS_ORIGINS: comma-separated allowlist
    std::vector<std::string> trustedProxies;  // LMS_TRUSTED_PROXIES: IPs whose X-Forwarded-For is believed

    // Reads the process environment; throws ConfigError on the first bad value.
    static Config fromEnvironment();
};

}  // namespace lms
