#pragma once
// Where mail goes: an SMTP server (STARTTLS, AUTH LOGIN) or, with no SMTP host configured, an
// outbox folder of .eml files (the embedded default for one machine).
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/config.hpp"

namespace lms::mailer {

struct Outgoing {
    std::string id;    // the trigger event's id: names the outbox file
    std::string from;  // the From mailbox ("Name <address>" or an address)
    std::string to;    // the recipient's address
    std::string data;  // the RFC 5322 message, CRLF line ends
};

// A delivery that did not happen. Permanent ones (an SMTP 5xx reply) are not worth retrying.
class DeliveryError : public std::runtime_error {
public:
    DeliveryError(const std::string& what, bool permanent) : std::runtime_error(what), permanent_(permanent) {}
    bool permanent() const { return permanent_; }

private:
    bool permanent_;
};

class Transport {
public:
    virtual ~Transport() = default;
    // Delivers one message or throws DeliveryError.
    virtual void deliver(const Outgoing& mail) = 0;
    // Erasure: drops whatever this transport still keeps of the mails of these triggers and
    // returns how many messages went. Nothing there is fine (a redelivered erasure); a copy that
    // cannot be removed throws std::runtime_error, so that the erasure is not committed as done.
    virtual std::size_t forget(const std::vector<std::string>& triggerIds) = 0;
    // For the log: "smtp 127.0.0.1:587 (STARTTLS)" or "outbox .lms/outbox".
    virtual std::string describe() const = 0;
};

// SMTP when config.smtpHost is set, the outbox folder <dataDir>/outbox otherwise.
std::unique_ptr<Transport> makeTransport(const Config& config);

}  // namespace lms::mailer
