#pragma once
// The mailer worker: consumes the identity, catalog, payments and certificates topics as the consumer group `lms-mailer`
// and mails the welcome message on UserRegistered, the reset link on UserPasswordResetRequested,
// a course's instructor on CourseApproved and CourseRejected (with the reason), the student on
// PaymentCompleted and PaymentRefunded, and on CertificateStored (links to the verification page
// and the PDF; CertificateMailed is then recorded on the certificate's stream).
// Idempotent by trigger event id: every outcome is an event (MailSent, MailSkipped, MailFailed)
// in the stream mail-<trigger id>, appended with no-stream as the expected version, and a trigger
// whose stream exists is not mailed again. The offset is committed only after that append.
// On UserErased it removes what the transport still keeps of the person's mails (the outbox
// files); that needs no record: a redelivered erasure finds nothing left to remove.
#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "domain/core/categories.hpp"
#include "eventstore/kafka.hpp"
#include "eventstore/pg.hpp"
#include "workers/mailer/mail.hpp"
#include "workers/mailer/transport.hpp"
#include "workers/storage/object_store.hpp"

namespace lms::mailer {

inline constexpr const char* kConsumerGroup = "lms-mailer";
// The outcome of each trigger is recorded in the stream mail-<trigger event id>.
inline constexpr domain::StreamCategory kCategories[] = {{"mail", "notifications"}};
inline std::string mailStream(const std::string& triggerEventId) { return "mail-" + triggerEventId; }
// Appended to mail-<trigger id> by `lms dlq retry`: the trigger is to be mailed again.
inline constexpr const char* kRetryRequested = "MailRetryRequested";

std::vector<std::string> sourceTopics(const std::string& prefix);  // <prefix>.identity, .catalog, .payments
std::string deadLetterTopic(const std::string& prefix);            // <prefix>.mail.dlq

// What became of one message of the topic.
enum class Outcome { Ignored, AlreadyHandled, Sent, Skipped, DeadLettered, Interrupted, Forgotten };

class Mailer {
public:
    // brokers: the Kafka bootstrap servers (the embedded cluster's when LMS_KAFKA_BROKERS is unset).
    Mailer(const Config& config, std::string brokers, const Clock& clock = Clock::system());
    ~Mailer();
    Mailer(const Mailer&) = delete;
    Mailer& operator=(const Mailer&) = delete;

    // Consumes until stop is set (returning within about the poll interval, or one backoff step).
    // Throws when the database or the broker fails in a way a retry here cannot mend; the caller
    // starts it again, and the messages not yet committed are delivered again.
    void run(const std::atomic<bool>& stop);

private:
    struct Recipient {
        std::string email, firstName, lastName;
    };
    Outcome handle(const kafka::IncomingMessage& m, const std::atomic<bool>& stop);
    // UserErased: the transport forgets the mail of every trigger in the user's stream.
    Outcome forgetErased(const kafka::IncomingMessage& m, nlohmann::json& envelope);
    // The user's address and current names, or the reason there is nobody to write to.
    std::variant<Recipient, std::string> recipientOf(const std::string& userId);
    Outcome deliver(const kafka::IncomingMessage& m, const Mail& mail, const std::string& correlationId,
                    const std::atomic<bool>& stop);
    void deadLetter(const kafka::IncomingMessage& m, const std::string& error, int attempts);
    // Records CertificateMailed on the certificate's stream once its mail is recorded as sent.
    void certificateMailed(nlohmann::json& envelope, const std::string& correlationId, const std::atomic<bool>& stop);
    // Appends the outcome to mail-<trigger id>, reconnecting and retrying while the database is
    // away (the mail may already be out: losing the record would mean sending it twice).
    void record(const std::string& triggerEventId, const std::string& type, const nlohmann::json& data,
                const std::string& correlationId, const std::atomic<bool>& stop);
    pg::Connection& db();

    Config config_;
    std::string brokers_;
    const Clock& clock_;
    std::string secret_;
    std::unique_ptr<pg::Connection> db_;
    std::int64_t outcomeVersion_ = 0;  // of the trigger's outcome stream being handled (0: none yet)
    std::unique_ptr<Transport> transport_;
    std::unique_ptr<storage::ObjectStore> files_;  // the certificates' PDFs, whose links certificate mails carry
    std::unique_ptr<kafka::Producer> producer_;
};

}  // namespace lms::mailer
