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
    std::string databaseUrl;                  // LMS_DATABASE_URL
    std::string kafkaBrokers;                 // LMS_KAFKA_BROKERS: empty means the embedded mock cluster
    std::string topicPrefix;                  // LMS_KAFKA_TOPIC_PREFIX
    std::string httpHost;                     // LMS_HTTP_HOST
    int httpPort = 8080;                      // LMS_HTTP_PORT (0 = any free port, printed at start)
    int httpThreads = 16;                     // LMS_HTTP_THREADS: handler (worker) threads
    int httpIoThreads = 0;                    // LMS_HTTP_IO_THREADS: socket threads (0 = cores, at most 8)
    int httpMaxQueued = 256;                  // LMS_HTTP_MAX_QUEUED: parsed requests waiting for a worker
    int httpMaxConnections = 4096;            // LMS_HTTP_MAX_CONNECTIONS
    int httpKeepAliveTimeoutMs = 10000;       // LMS_HTTP_KEEPALIVE_TIMEOUT_MS: idle between requests
    int httpHeaderTimeoutMs = 10000;          // LMS_HTTP_HEADER_TIMEOUT_MS: first byte to end of header
    int httpBodyTimeoutMs = 30000;            // LMS_HTTP_BODY_TIMEOUT_MS: end of header to end of body
    int httpWriteTimeoutMs = 30000;           // LMS_HTTP_WRITE_TIMEOUT_MS
    int httpMaxHeaderBytes = 16384;           // LMS_HTTP_MAX_HEADER_BYTES: request line and headers
    int httpMaxHeaders = 64;                  // LMS_HTTP_MAX_HEADERS: header fields
    int httpShutdownGraceMs = 10000;          // LMS_HTTP_SHUTDOWN_GRACE_MS
    std::string metricsToken;                 // LMS_METRICS_TOKEN: when set, /metrics needs it as a bearer token
    int metricsMaxSeries = 2000;              // LMS_METRICS_MAX_SERIES: label sets per metric family
    int rateMaxKeys = 100000;                 // LMS_RATE_MAX_KEYS: clients tracked per rate limiter
    int dbPoolSize = 16;                      // LMS_DB_POOL_SIZE
    std::string logLevel;                     // LMS_LOG_LEVEL
    std::string logFormat;                    // LMS_LOG_FORMAT: plain | json
    std::string dataDir;                      // LMS_DATA_DIR
    int relayBatch = 2000;                    // LMS_RELAY_BATCH
    int pollIntervalMs = 500;                 // LMS_POLL_INTERVAL_MS
    int maxBodyBytes = 65536;                 // LMS_HTTP_MAX_BODY_BYTES
    std::vector<std::string> corsOrigins;     // LMS_CORS_ORIGINS: comma-separated allowlist
    std::vector<std::string> trustedProxies;  // LMS_TRUSTED_PROXIES: IPs whose X-Forwarded-For is believed

    // Key-encryption keys of the per-subject data keys (eventstore/master_keys.hpp), as 64 hex
    // characters each: the one that wraps (empty: a random one kept in <data dir>/master-key) and
    // older ones accepted for unwrapping only, during a rotation.
    std::string masterKey;                       // LMS_MASTER_KEY
    std::vector<std::string> masterKeyPrevious;  // LMS_MASTER_KEY_PREVIOUS: comma-separated

    // Identity.
    std::string jwtSecret;           // LMS_JWT_SECRET (>= 32 bytes); unset: a random one kept in <data dir>/jwt-secret
    std::string jwtIssuer;           // LMS_JWT_ISSUER
    std::string jwtAudience;         // LMS_JWT_AUDIENCE
    int accessTokenTtlS = 900;       // LMS_ACCESS_TOKEN_TTL_S
    int refreshTokenTtlS = 2592000;  // LMS_REFRESH_TOKEN_TTL_S (30 days)
    int refreshGraceS = 30;          // LMS_REFRESH_GRACE_S: a just-rotated token answers with its successor
    bool cookieSecure = true;        // LMS_COOKIE_SECURE (0 for local plain HTTP)
    int argon2MemoryKiB = 19456;     // LMS_ARGON2_MEMORY_KIB (OWASP: 19456)
    int argon2Iterations = 2;        // LMS_ARGON2_ITERATIONS (OWASP: 2)
    // Token buckets per client IP and per account (email) on the sign-in routes: requests per minute.
    int rateRegisterPerMin = 10;      // LMS_RATE_REGISTER_PER_MIN
    int rateLoginPerMin = 10;         // LMS_RATE_LOGIN_PER_MIN
    int rateRefreshPerMin = 30;       // LMS_RATE_REFRESH_PER_MIN
    int ratePasswordResetPerMin = 5;  // LMS_RATE_PASSWORD_RESET_PER_MIN

    // Mail.
    std::string publicUrl;       // LMS_PUBLIC_URL: base of links in mail (password reset)
    std::string mailFrom;        // LMS_MAIL_FROM
    std::string smtpHost;        // LMS_SMTP_HOST: empty writes .eml files to <data dir>/outbox
    int smtpPort = 587;          // LMS_SMTP_PORT
    std::string smtpUser;        // LMS_SMTP_USER (AUTH LOGIN when set)
    std::string smtpPassword;    // LMS_SMTP_PASSWORD
    bool smtpStartTls = true;    // LMS_SMTP_STARTTLS (1: required before AUTH and mail; 0: plain)
    int mailMaxAttempts = 5;     // LMS_MAIL_MAX_ATTEMPTS: then the dead-letter topic
    int mailRetryBaseMs = 1000;  // LMS_MAIL_RETRY_BASE_MS: backoff base (doubles per attempt)
    std::string smtpCaFile;      // LMS_SMTP_CA_FILE: PEM CAs trusted for STARTTLS besides the system's

    // Payments.
    std::string paymentProvider = "simulated";      // LMS_PAYMENT_PROVIDER: simulated | stripe | razorpay
    std::vector<std::string> stripeWebhookSecrets;  // LMS_STRIPE_WEBHOOK_SECRETS: comma-separated (rotation)
    std::string razorpayWebhookSecret;              // LMS_RAZORPAY_WEBHOOK_SECRET
    std::string stripeSecretKey;                    // LMS_STRIPE_SECRET_KEY (sk_...): checkouts and refunds
    std::string stripeApiBase;                      // LMS_STRIPE_API_BASE (https://api.stripe.com)
    std::string razorpayKeyId;                      // LMS_RAZORPAY_KEY_ID (rzp_...): orders and refunds
    std::string razorpayKeySecret;                  // LMS_RAZORPAY_KEY_SECRET
    std::string razorpayApiBase;                    // LMS_RAZORPAY_API_BASE (https://api.razorpay.com)
    int providerTimeoutS = 15;                      // LMS_PROVIDER_TIMEOUT_S: a provider's REST call, at most
    int stripeToleranceS = 300;                     // LMS_STRIPE_TOLERANCE_S: accepted age of a Stripe-Signature
    int checkoutTtlS = 1800;                        // LMS_CHECKOUT_TTL_S: how long a checkout can be paid

    // Certificates.
    // LMS_CERTIFICATE_SIGNING_KEY: the Ed25519 seed that signs certificates, 64 hex characters;
    // empty: a random one kept in <data dir>/certificate-signing-key.
    std::string certificateSigningKey;
    int certificateMaxAttempts = 5;     // LMS_CERTIFICATE_MAX_ATTEMPTS: then the dead-letter topic
    int certificateRetryBaseMs = 1000;  // LMS_CERTIFICATE_RETRY_BASE_MS: backoff base (doubles per attempt)

    // Stored files (workers/storage): an S3 bucket when s3Endpoint or s3Bucket is set, else <data dir>/objects.
    std::string s3Endpoint;         // LMS_S3_ENDPOINT: scheme://host[:port] (unset: https://s3.<region>.amazonaws.com)
    std::string s3Bucket;           // LMS_S3_BUCKET
    std::string s3Region;           // LMS_S3_REGION (us-east-1)
    std::string s3AccessKeyId;      // LMS_S3_ACCESS_KEY_ID
    std::string s3SecretAccessKey;  // LMS_S3_SECRET_ACCESS_KEY
    std::string s3SessionToken;     // LMS_S3_SESSION_TOKEN: temporary credentials only
    bool s3PathStyle = true;        // LMS_S3_PATH_STYLE: 1 host/bucket/key, 0 bucket.host/key
    int fileLinkTtlS = 3600;        // LMS_FILE_LINK_TTL_S: how long a link to a stored file works

    // Reads the process environment; throws ConfigError on the first bad value.
    static Config fromEnvironment();
};

}  // namespace lms
