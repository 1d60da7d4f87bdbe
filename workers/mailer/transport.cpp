#include "workers/mailer/transport.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SMTPClientSession.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sstream>

namespace lms::mailer {
namespace {

const Poco::Timespan kConnectTimeout(10, 0);
const Poco::Timespan kReplyTimeout(30, 0);

std::string base64(const std::string& s) {
    std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// Poco's session with the two steps it gets wrong for us done by hand: STARTTLS on a socket we
// connected with a timeout (SecureSMTPClientSession only verifies the host name when it made the
// connection itself, without a timeout), and AUTH LOGIN (Poco's recognises the server's prompts
// only when they read "Username:"/"Password:" and otherwise silently skips authentication).
class Session : public Poco::Net::SMTPClientSession {
public:
    using SMTPClientSession::SMTPClientSession;

    void startTls(const std::string& host, const Poco::Net::Context::Ptr& context) {
        std::string reply;
        const int status = sendCommand("STARTTLS", reply);
        if (status / 100 != 2) throw Poco::Net::SMTPException("the server refused STARTTLS", reply, status);
        // The handshake verifies the certificate's chain and that it names host.
        socket() = Poco::Net::SecureStreamSocket::attach(socket(), host, context);
    }

    void authLogin(const std::string& user, const std::string& password) {
        std::string reply;
        int status = sendCommand("AUTH LOGIN", reply);
        if (status / 100 != 3) throw Poco::Net::SMTPException("the server refused AUTH LOGIN", reply, status);
        status = sendCommand(base64(user), reply);
        if (status / 100 != 3) throw Poco::Net::SMTPException("AUTH LOGIN: user name refused", reply, status);
        status = sendCommand(base64(password), reply);
        if (status / 100 != 2) throw Poco::Net::SMTPException("AUTH LOGIN: authentication failed", reply, status);
    }
};

class SmtpTransport : public Transport {
public:
    explicit SmtpTransport(const Config& c)
        : host_(c.smtpHost),
          port_(static_cast<Poco::UInt16>(c.smtpPort)),
          user_(c.smtpUser),
          password_(c.smtpPassword),
          startTls_(c.smtpStartTls) {
        if (startTls_) {
            static std::once_flag initialised;
            std::call_once(initialised, [] { Poco::Net::initializeSSL(); });
            // The system's CAs, and those of LMS_SMTP_CA_FILE (a private relay's CA) when set.
            Poco::Net::Context::Params params;
            params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;  // a client: verify the server
            params.loadDefaultCAs = true;
            params.caLocation = c.smtpCaFile;
            context_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
            context_->disableProtocols(Poco::Net::Context::PROTO_SSLV2 | Poco::Net::Context::PROTO_SSLV3 |
                                       Poco::Net::Context::PROTO_TLSV1 | Poco::Net::Context::PROTO_TLSV1_1);
        }
    }

    void deliver(const Outgoing& mail) override {
        try {
            Poco::Net::StreamSocket socket;
            socket.connect(Poco::Net::SocketAddress(host_, port_), kConnectTimeout);
            socket.setReceiveTimeout(kReplyTimeout);
            socket.setSendTimeout(kReplyTimeout);
            Session s(socket);
            s.login();  // greeting and EHLO
            if (startTls_) {
                s.startTls(host_, context_);
                s.login();  // EHLO again: what the server offers changes under TLS
            }
            if (!user_.empty()) s.authLogin(user_, password_);
            s.sendAddresses(mail.from, {mail.to});
            s.sendData();
            std::istringstream data(mail.data);
            s.sendMessage(data);
            try {
                s.close();  // QUIT; the message is already accepted
            } catch (const Poco::Exception&) {
            }
        } catch (const Poco::Net::SMTPException& e) {
            // 5xx: the server will say no again (rejected recipient, refused authentication).
            throw DeliveryError("smtp " + host_ + ":" + std::to_string(port_) + ": " + e.displayText(),
                                e.code() / 100 == 5);
        } catch (const Poco::Exception& e) {
            throw DeliveryError("smtp " + host_ + ":" + std::to_string(port_) + ": " + e.displayText(), false);
        }
    }

    // A delivered message is in the server's hands (and the recipient's mailbox): nothing of it
    // stays here, and what left is out of our reach.
    std::size_t forget(const std::vector<std::string>&) override { return 0; }

    std::string describe() const override {
        return "smtp " + host_ + ":" + std::to_string(port_) + (startTls_ ? " (STARTTLS)" : " (plain)") +
               (user_.empty() ? "" : " as " + user_);
    }

private:
    std::string host_;
    Poco::UInt16 port_;
    std::string user_, password_;
    bool startTls_;
    Poco::Net::Context::Ptr context_;
};

// Each message becomes <outbox>/<trigger id>.eml, written under a temporary name, flushed to disk
// and renamed: a reader never sees half a file, and a redelivered trigger rewrites the same file.
// An erasure removes both names of each of the person's messages.
class OutboxTransport : public Transport {
public:
    explicit OutboxTransport(const Config& c) : dir_(std::filesystem::path(c.dataDir) / "outbox") {}

    void deliver(const Outgoing& mail) override {
        std::error_code ec;
        std::filesystem::create_directories(dir_, ec);
        if (ec) throw DeliveryError("outbox " + dir_.string() + ": " + ec.message(), false);
        const auto final = dir_ / (mail.id + ".eml");
        const auto temp = dir_ / ("." + mail.id + ".eml.tmp");
        const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        if (fd < 0) throw DeliveryError("outbox: cannot create " + temp.string() + ": " + std::strerror(errno), false);
        std::size_t written = 0;
        while (written < mail.data.size()) {
            const ssize_t n = ::write(fd, mail.data.data() + written, mail.data.size() - written);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                const std::string why = std::strerror(errno);
                ::close(fd);
                ::unlink(temp.c_str());
                throw DeliveryError("outbox: cannot write " + temp.string() + ": " + why, false);
            }
            written += static_cast<std::size_t>(n);
        }
        const bool synced = ::fsync(fd) == 0;
        ::close(fd);
        if (!synced || ::rename(temp.c_str(), final.c_str()) != 0) {
            const std::string why = std::strerror(errno);
            ::unlink(temp.c_str());
            throw DeliveryError("outbox: cannot store " + final.string() + ": " + why, false);
        }
        // The rename itself is durable once the directory is flushed.
        syncDirectory();
    }

    std::size_t forget(const std::vector<std::string>& triggerIds) override {
        std::size_t removed = 0;
        bool changed = false;
        for (const auto& id : triggerIds) {
            if (removeIfThere(dir_ / (id + ".eml"))) {
                ++removed;
                changed = true;
            }
            // Left by a write that never reached its rename (a crash, a full disk).
            if (removeIfThere(dir_ / ("." + id + ".eml.tmp"))) changed = true;
        }
        // Until the directory is flushed, a crash could bring the files back after the erasure
        // was committed as done.
        if (const int error = changed ? syncDirectory() : 0; error != 0) {
            throw std::runtime_error("outbox: cannot flush " + dir_.string() + ": " + std::strerror(error));
        }
        return removed;
    }

    std::string describe() const override { return "outbox " + dir_.string(); }

private:
    // False when the file was not there.
    static bool removeIfThere(const std::filesystem::path& file) {
        if (::unlink(file.c_str()) == 0) return true;
        if (errno == ENOENT) return false;
        throw std::runtime_error("outbox: cannot remove " + file.string() + ": " + std::strerror(errno));
    }

    // 0, or the errno of the failure.
    int syncDirectory() const {
        const int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) return errno;
        const int error = ::fsync(dfd) == 0 ? 0 : errno;
        ::close(dfd);
        return error;
    }

    std::filesystem::path dir_;
};

}  // namespace

std::unique_ptr<Transport> makeTransport(const Config& config) {
    if (config.smtpHost.empty()) return std::make_unique<OutboxTransport>(config);
    return std::make_unique<SmtpTransport>(config);
}

}  // namespace lms::mailer
