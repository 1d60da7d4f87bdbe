#pragma once
// One outgoing mail as RFC 5322 text: multipart/alternative with a plain-text and an HTML part
// (UTF-8, quoted-printable), a Message-ID derived from the event that triggered it.
#include <cstdint>
#include <string>

#include "workers/mailer/templates.hpp"

namespace lms::mailer {

struct Mail {
    std::string triggerEventId;
    std::string templateName;
    std::string toAddress;
    std::string toName;  // display name; may be empty
    RenderedMail content;
};

// "<trigger-id@lms>": the same for every attempt and every redelivery of one trigger, so that a
// receiver can drop the copy sent again after a crash between sending and recording.
std::string messageIdFor(const std::string& triggerEventId);

// The mailbox "Name <address>": the name quoted, or RFC 2047-encoded when it is not ASCII;
// control characters in it are dropped.
std::string mailbox(const std::string& name, const std::string& address);

// RFC 2047 encoded-words ("=?UTF-8?B?...?=", folded) for text that is not printable ASCII;
// printable ASCII comes back unchanged.
std::string encodeHeaderText(const std::string& text);

// A plain addr-spec that is safe in a header and an SMTP command: local@domain, no whitespace,
// controls, angle brackets or quotes. Registration already checks addresses; this guards the
// header against anything that slipped through.
bool isSafeAddress(const std::string& address);

// The whole message with CRLF line ends, ready for SMTP DATA or an .eml file.
std::string formatMessage(const Mail& mail, const std::string& from, std::int64_t dateUs);

}  // namespace lms::mailer
