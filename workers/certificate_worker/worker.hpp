#pragma once
// The certificate worker: consumes <prefix>.certificates as the consumer group
// `lms-certificates` and brings each certificate's current revision up to date: renders its PDF
// (CertificateRendered, with the PDF's sha256), then puts it in object storage
// (CertificateStored). Idempotent by the certificate's own stream: a step recorded there is not
// done again, and a revision a reissue replaced is left alone. The PDF is a function of the
// certificate (the same revision renders to the same bytes), so a crash between the two steps
// renders it again and checks the digest before storing. Failures are retried with backoff
// (LMS_CERTIFICATE_RETRY_BASE_MS, doubling, at most 60 s) up to LMS_CERTIFICATE_MAX_ATTEMPTS,
// then the message goes to <prefix>.certificates.dlq (`lms dlq` re-drives it). The offset is
// committed only after the outcome, so a crash means the message comes back, never that it is lost.
// It also consumes <prefix>.identity: on UserErased it deletes the student's stored PDFs (they
// carry the name) and records CertificateFilesErased; a PDF stored while the erasure happened is
// deleted by the worker that stored it.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "domain/certificates/certificate.hpp"
#include "eventstore/kafka.hpp"
#include "eventstore/pg.hpp"
#include "workers/certificates/certificate_renderer.hpp"
#include "workers/storage/object_store.hpp"

namespace lms::certificates {

inline constexpr const char* kWorkerGroup = "lms-certificates";
std::string sourceTopic(const std::string& prefix);      // <prefix>.certificates
std::string deadLetterTopic(const std::string& prefix);  // <prefix>.certificates.dlq
std::string identityTopic(const std::string& prefix);    // <prefix>.identity (UserErased: the PDFs are deleted)

class CertificateWorker {
public:
    enum class Outcome { Ignored, UpToDate, Rendered, Stored, Skipped, Erased, DeadLettered, Interrupted };

    CertificateWorker(const Config& config, std::string brokers, const Clock& clock = Clock::system());
    ~CertificateWorker();
    CertificateWorker(const CertificateWorker&) = delete;
    CertificateWorker& operator=(const CertificateWorker&) = delete;

    // Consumes until stop is set. Throws when the broker fails in a way a retry here cannot mend;
    // the caller starts it again, and what was not committed is delivered again.
    void run(const std::atomic<bool>& stop);
    // One certificate brought up to date, once (no retry): what was done. Throws on broken
    // infrastructure (the database, the store); std::logic_error for what no retry mends.
    Outcome advance(const std::string& certId, const std::string& correlationId);
    // A student erased: every stored PDF of their certificates (which carry their name) deleted
    // from object storage, and recorded (CertificateFilesErased), once. Throws as advance does.
    Outcome forget(const std::string& userId, const std::string& correlationId);

private:
    Outcome handle(const kafka::IncomingMessage& m, const std::atomic<bool>& stop);
    // work() until it succeeds, with backoff, up to the last attempt; then m is dead-lettered.
    Outcome withRetries(const kafka::IncomingMessage& m, const std::string& what, const std::string& correlationId,
                        const std::atomic<bool>& stop, const std::function<Outcome()>& work);
    void deadLetter(const kafka::IncomingMessage& m, const std::string& error, int attempts);
    domain::certificates::Certificate::State load(const std::string& certId);
    pg::Connection& db();

    Config config_;
    std::string brokers_;
    const Clock& clock_;
    std::unique_ptr<pg::Connection> db_;
    CertificateRenderer renderer_;
    std::unique_ptr<storage::ObjectStore> store_;
    std::unique_ptr<kafka::Producer> producer_;
};

// "3 December 2026": the date a certificate shows (UTC).
std::string issuedOn(std::int64_t atUs);
// Where a revision's PDF is kept: certificates/<certId>/<revision>-<first 16 hex of its sha256>.pdf.
std::string objectKeyOf(const std::string& certId, std::int64_t revision, const std::string& sha256);

}  // namespace lms::certificates
