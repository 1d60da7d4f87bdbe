#include "common/config.hpp"

#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cstdlib>

namespace lms {
namespace {

std::string env(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return (v != nullptr && *v != '\0') ? std::string(v) : std::string(fallback);
}

int envInt(const char* name, int fallback, int min, int max) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return fallback;
    int out = 0;
    const std::string s(v);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || p != s.data() + s.size() || out < min || out > max) {
        throw ConfigError(std::string(name) + "='" + s + "' is not an integer in " + std::to_string(min) + ".." +
                          std::to_string(max));
    }
    return out;
}

bool envBool(const char* name, bool fallback) {
    const std::string v = env(name, fallback ? "1" : "0");
    if (v == "1" || v == "true" || v == "yes") return true;
    if (v == "0" || v == "false" || v == "no") return false;
    throw ConfigError(std::string(name) + "='" + v + "' must be 1 or 0");
}

std::string envOneOf(const char* name, const char* fallback, std::initializer_list<const char*> allowed) {
    std::string v = env(name, fallback);
    std::string list;
    for (const char* a : allowed) {
        if (v == a) return v;
        list += list.empty() ? "" : ", ";
        list += a;
    }
    throw ConfigError(std::string(name) + "='" + v + "' must be one of: " + list);
}

// The comma-separated items of a variable, without surrounding spaces; empty items are skipped.
std::vector<std::string> envList(const char* name) {
    const std::string all = env(name, "");
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < all.size()) {
        auto end = all.find(',', start);
        if (end == std::string::npos) end = all.size();
        std::string item = all.substr(start, end - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty()) out.push_back(item);
        start = end + 1;
    }
    return out;
}

// A 256-bit key given as 64 hex characters. The message never repeats the value: it is a secret.
std::string hexKey(const char* name, std::string value) {
    const bool ok = value.size() == 64 && value.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    if (!ok) {
        throw ConfigError(
            std::string(name) + " must be 64 hex characters (32 bytes; e.g. `openssl rand -hex 32`), not " +
            std::to_string(value.size()) + " characters" + (value.size() == 64 ? " with a non-hex one" : ""));
    }
    for (char& ch : value) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return value;
}

}  // namespace

Config Config::fromEnvironment() {
    Config c;
    c.databaseUrl = env("LMS_DATABASE_URL", "postgresql://lms@127.0.0.1:54329/lms");
    if (c.databaseUrl.rfind("postgresql://", 0) != 0 && c.databaseUrl.rfind("postgres://", 0) != 0 &&
        c.databaseUrl.find('=') == std::string::npos) {
        throw ConfigError("LMS_DATABASE_URL='" + c.databaseUrl +
                          "' is neither a postgresql:// URL nor a libpq key=value string");
    }
    c.kafkaBrokers = env("LMS_KAFKA_BROKERS", "");
    c.topicPrefix = env("LMS_KAFKA_TOPIC_PREFIX", "lms");
    for (char ch : c.topicPrefix) {
        const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                        ch == '_' || ch == '-';
        if (!ok) throw ConfigError("LMS_KAFKA_TOPIC_PREFIX='" + c.topicPrefix + "' may hold only [a-zA-Z0-9._-]");
    }
    c.httpHost = env("LMS_HTTP_HOST", "127.0.0.1");
    c.httpPort = envInt("LMS_HTTP_PORT", 8080, 0, 65535);
    c.httpThreads = envInt("LMS_HTTP_THREADS", 16, 1, 1024);
    c.httpIoThreads = envInt("LMS_HTTP_IO_THREADS", 0, 0, 64);
    c.httpMaxQueued = envInt("LMS_HTTP_MAX_QUEUED", 256, 1, 1000000);
    c.httpMaxConnections = envInt("LMS_HTTP_MAX_CONNECTIONS", 4096, 1, 1000000);
    c.httpKeepAliveTimeoutMs = envInt("LMS_HTTP_KEEPALIVE_TIMEOUT_MS", 10000, 10, 3600000);
    c.httpHeaderTimeoutMs = envInt("LMS_HTTP_HEADER_TIMEOUT_MS", 10000, 10, 3600000);
    c.httpBodyTimeoutMs = envInt("LMS_HTTP_BODY_TIMEOUT_MS", 30000, 10, 3600000);
    c.httpWriteTimeoutMs = envInt("LMS_HTTP_WRITE_TIMEOUT_MS", 30000, 10, 3600000);
    c.httpMaxHeaderBytes = envInt("LMS_HTTP_MAX_HEADER_BYTES", 16384, 1024, 1024 * 1024);
    c.httpMaxHeaders = envInt("LMS_HTTP_MAX_HEADERS", 64, 8, 1000);
    c.httpShutdownGraceMs = envInt("LMS_HTTP_SHUTDOWN_GRACE_MS", 10000, 0, 600000);
    c.metricsToken = env("LMS_METRICS_TOKEN", "");
    if (!c.metricsToken.empty() && c.metricsToken.size() < 16) {
        throw ConfigError("LMS_METRICS_TOKEN must be at least 16 bytes (it guards /metrics)");
    }
    c.metricsMaxSeries = envInt("LMS_METRICS_MAX_SERIES", 2000, 10, 1000000);
    c.rateMaxKeys = envInt("LMS_RATE_MAX_KEYS", 100000, 10, 100000000);
    c.dbPoolSize = envInt("LMS_DB_POOL_SIZE", 16, 1, 512);
    c.logLevel = envOneOf("LMS_LOG_LEVEL", "info", {"trace", "debug", "info", "warn", "error", "off"});
    c.logFormat = envOneOf("LMS_LOG_FORMAT", "plain", {"plain", "json"});
    c.dataDir = env("LMS_DATA_DIR", ".lms");
    c.relayBatch = envInt("LMS_RELAY_BATCH", 2000, 1, 100000);
    c.pollIntervalMs = envInt("LMS_POLL_INTERVAL_MS", 500, 10, 60000);
    c.maxBodyBytes = envInt("LMS_HTTP_MAX_BODY_BYTES", 65536, 1024, 64 * 1024 * 1024);
    for (const auto& o : envList("LMS_CORS_ORIGINS")) {
        if (o.rfind("http://", 0) != 0 && o.rfind("https://", 0) != 0) {
            throw ConfigError("LMS_CORS_ORIGINS: '" + o + "' is not an origin (https://host[:port])");
        }
        c.corsOrigins.push_back(o);
    }
    for (const auto& ip : envList("LMS_TRUSTED_PROXIES")) {
        if (ip.find_first_not_of("0123456789abcdefABCDEF.:") != std::string::npos) {
            throw ConfigError("LMS_TRUSTED_PROXIES: '" + ip + "' is not an IP address");
        }
        c.trustedProxies.push_back(ip);
    }

    c.jwtSecret = env("LMS_JWT_SECRET", "");
    if (!c.jwtSecret.empty() && c.jwtSecret.size() < 32) {
        throw ConfigError("LMS_JWT_SECRET must be at least 32 bytes (it signs access tokens)");
    }
    c.certificateSigningKey = env("LMS_CERTIFICATE_SIGNING_KEY", "");
    if (!c.certificateSigningKey.empty())
        c.certificateSigningKey = hexKey("LMS_CERTIFICATE_SIGNING_KEY", c.certificateSigningKey);
    c.masterKey = env("LMS_MASTER_KEY", "");
    if (!c.masterKey.empty()) c.masterKey = hexKey("LMS_MASTER_KEY", c.masterKey);
    for (const auto& k : envList("LMS_MASTER_KEY_PREVIOUS")) {
        c.masterKeyPrevious.push_back(hexKey("LMS_MASTER_KEY_PREVIOUS", k));
    }
    c.jwtIssuer = env("LMS_JWT_ISSUER", "lms");
    c.jwtAudience = env("LMS_JWT_AUDIENCE", "lms-api");
    c.accessTokenTtlS = envInt("LMS_ACCESS_TOKEN_TTL_S", 900, 10, 86400);
    c.refreshTokenTtlS = envInt("LMS_REFRESH_TOKEN_TTL_S", 2592000, 60, 31536000);
    c.refreshGraceS = envInt("LMS_REFRESH_GRACE_S", 30, 0, 300);
    c.cookieSecure = envBool("LMS_COOKIE_SECURE", true);
    c.argon2MemoryKiB = envInt("LMS_ARGON2_MEMORY_KIB", 19456, 1024, 4 * 1024 * 1024);
    c.argon2Iterations = envInt("LMS_ARGON2_ITERATIONS", 2, 1, 100);
    c.rateRegisterPerMin = envInt("LMS_RATE_REGISTER_PER_MIN", 10, 1, 100000000);
    c.rateLoginPerMin = envInt("LMS_RATE_LOGIN_PER_MIN", 10, 1, 100000000);
    c.rateRefreshPerMin = envInt("LMS_RATE_REFRESH_PER_MIN", 30, 1, 100000000);
    c.ratePasswordResetPerMin = envInt("LMS_RATE_PASSWORD_RESET_PER_MIN", 5, 1, 100000000);

    c.publicUrl = env("LMS_PUBLIC_URL", "http://127.0.0.1:8080");
    if (c.publicUrl.rfind("http://", 0) != 0 && c.publicUrl.rfind("https://", 0) != 0) {
        throw ConfigError("LMS_PUBLIC_URL='" + c.publicUrl + "' is not an http(s) URL");
    }
    while (!c.publicUrl.empty() && c.publicUrl.back() == '/') c.publicUrl.pop_back();
    c.mailFrom = env("LMS_MAIL_FROM", "LMS <no-reply@lms.localhost>");
    c.paymentProvider = env("LMS_PAYMENT_PROVIDER", "simulated");
    if (c.paymentProvider != "simulated" && c.paymentProvider != "stripe" && c.paymentProvider != "razorpay") {
        throw ConfigError("LMS_PAYMENT_PROVIDER='" + c.paymentProvider + "' is not simulated, stripe or razorpay");
    }
    {
        const std::string secrets = env("LMS_STRIPE_WEBHOOK_SECRETS", "");
        std::size_t i = 0;
        while (i <= secrets.size() && !secrets.empty()) {
            auto j = secrets.find(',', i);
            if (j == std::string::npos) j = secrets.size();
            std::string one = secrets.substr(i, j - i);
            while (!one.empty() && one.front() == ' ') one.erase(0, 1);
            while (!one.empty() && one.back() == ' ') one.pop_back();
            if (!one.empty()) c.stripeWebhookSecrets.push_back(one);
            i = j + 1;
        }
    }
    c.razorpayWebhookSecret = env("LMS_RAZORPAY_WEBHOOK_SECRET", "");
    c.stripeSecretKey = env("LMS_STRIPE_SECRET_KEY", "");
    c.providerTimeoutS = envInt("LMS_PROVIDER_TIMEOUT_S", 15, 1, 120);
    c.razorpayKeyId = env("LMS_RAZORPAY_KEY_ID", "");
    c.razorpayKeySecret = env("LMS_RAZORPAY_KEY_SECRET", "");
    c.razorpayApiBase = env("LMS_RAZORPAY_API_BASE", "https://api.razorpay.com");
    while (!c.razorpayApiBase.empty() && c.razorpayApiBase.back() == '/') c.razorpayApiBase.pop_back();
    if (c.razorpayApiBase.rfind("http://", 0) != 0 && c.razorpayApiBase.rfind("https://", 0) != 0) {
        throw ConfigError("LMS_RAZORPAY_API_BASE='" + c.razorpayApiBase + "' is not an http(s) URL");
    }
    if (c.paymentProvider == "razorpay" && (c.razorpayKeyId.empty() || c.razorpayKeySecret.empty())) {
        throw ConfigError("LMS_PAYMENT_PROVIDER=razorpay needs LMS_RAZORPAY_KEY_ID and LMS_RAZORPAY_KEY_SECRET");
    }
    c.stripeApiBase = env("LMS_STRIPE_API_BASE", "https://api.stripe.com");
    while (!c.stripeApiBase.empty() && c.stripeApiBase.back() == '/') c.stripeApiBase.pop_back();
    if (c.stripeApiBase.rfind("http://", 0) != 0 && c.stripeApiBase.rfind("https://", 0) != 0) {
        throw ConfigError("LMS_STRIPE_API_BASE='" + c.stripeApiBase + "' is not an http(s) URL");
    }
    if (c.paymentProvider == "stripe" && c.stripeSecretKey.empty()) {
        throw ConfigError("LMS_PAYMENT_PROVIDER=stripe needs LMS_STRIPE_SECRET_KEY");
    }
    c.stripeToleranceS = envInt("LMS_STRIPE_TOLERANCE_S", 300, 1, 86400);
    c.checkoutTtlS = envInt("LMS_CHECKOUT_TTL_S", 1800, 60, 86400);
    c.smtpHost = env("LMS_SMTP_HOST", "");
    c.smtpPort = envInt("LMS_SMTP_PORT", 587, 1, 65535);
    c.smtpUser = env("LMS_SMTP_USER", "");
    c.smtpPassword = env("LMS_SMTP_PASSWORD", "");
    c.smtpStartTls = envBool("LMS_SMTP_STARTTLS", true);
    if (!c.smtpUser.empty() && !c.smtpStartTls) {
        throw ConfigError(
            "LMS_SMTP_USER is set with LMS_SMTP_STARTTLS=0: the password would cross the network in clear");
    }
    c.mailMaxAttempts = envInt("LMS_MAIL_MAX_ATTEMPTS", 5, 1, 100);
    c.mailRetryBaseMs = envInt("LMS_MAIL_RETRY_BASE_MS", 1000, 1, 3600000);
    c.certificateMaxAttempts = envInt("LMS_CERTIFICATE_MAX_ATTEMPTS", 5, 1, 100);
    c.certificateRetryBaseMs = envInt("LMS_CERTIFICATE_RETRY_BASE_MS", 1000, 1, 3600000);
    c.smtpCaFile = env("LMS_SMTP_CA_FILE", "");
    if (!c.smtpCaFile.empty() && ::access(c.smtpCaFile.c_str(), R_OK) != 0) {
        throw ConfigError("LMS_SMTP_CA_FILE='" + c.smtpCaFile + "' is not a readable file");
    }
    c.s3Endpoint = env("LMS_S3_ENDPOINT", "");
    while (!c.s3Endpoint.empty() && c.s3Endpoint.back() == '/') c.s3Endpoint.pop_back();
    c.s3Bucket = env("LMS_S3_BUCKET", "");
    c.s3Region = env("LMS_S3_REGION", "us-east-1");
    c.s3AccessKeyId = env("LMS_S3_ACCESS_KEY_ID", "");
    c.s3SecretAccessKey = env("LMS_S3_SECRET_ACCESS_KEY", "");
    c.s3SessionToken = env("LMS_S3_SESSION_TOKEN", "");
    c.s3PathStyle = envBool("LMS_S3_PATH_STYLE", true);
    c.fileLinkTtlS = envInt("LMS_FILE_LINK_TTL_S", 3600, 1, 604800);  // 7 days: S3's limit for a presigned URL
    if (!c.s3Endpoint.empty() || !c.s3Bucket.empty()) {
        if (c.s3Endpoint.empty()) c.s3Endpoint = "https://s3." + c.s3Region + ".amazonaws.com";
        if (c.s3Endpoint.rfind("http://", 0) != 0 && c.s3Endpoint.rfind("https://", 0) != 0) {
            throw ConfigError("LMS_S3_ENDPOINT='" + c.s3Endpoint + "' is not an http(s) URL");
        }
        if (c.s3Bucket.empty()) throw ConfigError("LMS_S3_ENDPOINT is set without LMS_S3_BUCKET");
        if (c.s3AccessKeyId.empty() || c.s3SecretAccessKey.empty()) {
            throw ConfigError("LMS_S3_BUCKET needs LMS_S3_ACCESS_KEY_ID and LMS_S3_SECRET_ACCESS_KEY");
        }
    }
    return c;
}

}  // namespace lms
