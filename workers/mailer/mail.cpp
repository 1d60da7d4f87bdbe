#include "workers/mailer/mail.hpp"

#include <Poco/Net/MailMessage.h>
#include <Poco/Net/StringPartSource.h>
#include <Poco/Timestamp.h>
#include <openssl/evp.h>

#include <sstream>

namespace lms::mailer {
namespace {

bool printableAscii(const std::string& s) {
    for (unsigned char ch : s) {
        if (ch < 0x20 || ch >= 0x7f) return false;
    }
    return true;
}

std::string withoutControls(const std::string& s) {
    std::string out;
    for (unsigned char ch : s) {
        if (ch >= 0x20 && ch != 0x7f) out += static_cast<char>(ch);
    }
    return out;
}

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

}  // namespace

std::string messageIdFor(const std::string& triggerEventId) { return "<" + triggerEventId + "@lms>"; }

std::string encodeHeaderText(const std::string& text) {
    if (printableAscii(text)) return text;
    // Encoded words of at most 45 bytes (60 base64 characters, under RFC 2047's 75), cut between
    // UTF-8 characters so that each word decodes on its own.
    constexpr std::size_t kChunk = 45;
    std::string out;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = std::min(text.size(), at + kChunk);
        while (end < text.size() && end > at + 1 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(std::string_view(text).substr(at, end - at)) + "?=";
        at = end;
    }
    return out;
}

std::string mailbox(const std::string& name, const std::string& address) {
    const std::string clean = withoutControls(name);
    if (clean.empty()) return "<" + address + ">";
    if (!printableAscii(clean)) return encodeHeaderText(clean) + " <" + address + ">";
    std::string quoted = "\"";
    for (char ch : clean) {
        if (ch == '"' || ch == '\\') quoted += '\\';
        quoted += ch;
    }
    return quoted + "\" <" + address + ">";
}

bool isSafeAddress(const std::string& address) {
    const auto at = address.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size() ||
        address.find('@', at + 1) != std::string::npos) {
        return false;
    }
    for (unsigned char ch : address) {
        if (ch <= 0x20 || ch == 0x7f || ch == '<' || ch == '>' || ch == '"' || ch == '\\' || ch == ',' || ch == ';') {
            return false;
        }
    }
    return address.size() <= 254;
}

std::string formatMessage(const Mail& mail, const std::string& from, std::int64_t dateUs) {
    using Poco::Net::MailMessage;
    MailMessage m;
    m.setDate(Poco::Timestamp(static_cast<Poco::Timestamp::TimeVal>(dateUs)));
    m.setSender(from);
    m.set("To", mailbox(mail.toName, mail.toAddress));
    m.setSubject(encodeHeaderText(mail.content.subject));
    m.set("Message-ID", messageIdFor(mail.triggerEventId));
    m.set("Auto-Submitted", "auto-generated");  // RFC 3834: no vacation auto-replies to this
    m.setContentType("multipart/alternative");
    // Simplest first: a reader shows the last alternative it understands.
    m.addPart("", new Poco::Net::StringPartSource(mail.content.text, "text/plain; charset=UTF-8"),
              MailMessage::CONTENT_INLINE, MailMessage::ENCODING_QUOTED_PRINTABLE);
    m.addPart("", new Poco::Net::StringPartSource(mail.content.html, "text/html; charset=UTF-8"),
              MailMessage::CONTENT_INLINE, MailMessage::ENCODING_QUOTED_PRINTABLE);
    std::ostringstream out;
    m.write(out);
    return out.str();
}

}  // namespace lms::mailer
