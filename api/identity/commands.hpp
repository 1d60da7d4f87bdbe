#pragma once
// The identity context's use cases, callable without HTTP: by the routes, by `lms admin`, by
// workers and by tests. Each runs the command loop (eventstore::handleCommand) with the user or
// session decider, seals personal fields with the person's key, reserves the email in the
// append's transaction, applies the read model inline (read-your-writes) and returns a value or
// the DomainError that refused it. HTTP concerns (tokens for the API, cookies, rate limits) stay
// in routes.*; this target does not link the HTTP server.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/expected.hpp"
#include "common/password.hpp"
#include "domain/core/decider.hpp"
#include "domain/identity/ids.hpp"
#include "domain/identity/session.hpp"
#include "domain/identity/user.hpp"
#include "eventstore/command_loop.hpp"
#include "projections/identity/queries.hpp"

namespace lms::identity {

using domain::DomainError;
using domain::Metadata;
using domain::identity::SessionId;
using domain::identity::UserId;
using projections::identity::UserRow;

// Scope of the email reservation (lms_reservations): its value is the hex HMAC-SHA-256 of the
// normalised email under a key derived from the server's secret, so that a dictionary of
// addresses does not reverse it. Reservations made before (scope "email", a bare sha256) are
// honoured and re-keyed by rekeyEmailReservations.
inline constexpr const char* kEmailScope = "email-hmac";
inline constexpr const char* kLegacyEmailScope = "email";

struct Settings {
    password::Cost cost;  // Argon2id cost of new hashes
    std::int64_t refreshTtlS = 2592000;
    std::int64_t resetTtlS = 30 * 60;
    // How long the refresh token rotated away last still answers with its successor.
    std::int64_t refreshGraceUs = domain::identity::kRefreshGraceUs;
    std::string secret;     // derives reset and refresh tokens and the reservation key (common/sha256.hpp)
    std::string dummyHash;  // verified against for an unknown email: a wrong password's cost
    static Settings from(const Config& config, std::string secret);
    // LMS_ARGON2_MEMORY_KIB and LMS_ARGON2_ITERATIONS.
    static password::Cost costFrom(const Config& config);
};

// Told the events of each command right after it commits (the authentication cache evicts
// what they change).
using CommitObserver = std::function<void(const std::vector<eventstore::RecordedEvent>&)>;

struct Done {};
template <class T>
using Result = expected<T, DomainError>;

struct RegisterInput {
    std::string email, password, firstName, lastName, role = "STUDENT";
    bool byAdmin = false;  // only `lms admin create` may make an ADMIN
};
struct Registered {
    UserId userId;
    std::string email;  // normalised
};
struct StartedSession {
    SessionId sessionId;
    std::string refreshToken;  // shown once; the store keeps its sha256
};
struct SignedIn {
    UserRow user;
    StartedSession session;
};
struct Refreshed {
    SessionId sessionId;
    UserId userId;
    std::string role;
    std::string refreshToken;  // the new one; the presented one is spent
};

// The refresh token that follows `previous` in session's family (the first one when previous is
// empty): derived from the server's secret, so that the same token always has the same successor.
std::string refreshTokenAfter(const std::string& secret, const SessionId& session, const std::string& previous);
// The value of an email's reservation (kEmailScope).
std::string emailReservation(const std::string& secret, const std::string& emailNorm);

// Every field of a registration at fault, password policy included: pure, for one 422.
std::vector<domain::FieldError> registrationErrors(const RegisterInput& in);
// The password policy's verdict on a new password, on the field `newPassword`.
std::vector<domain::FieldError> newPasswordErrors(const std::string& newPassword);

class Commands {
public:
    Commands(pg::Connection& c, const Clock& clock, const Settings& settings, CommitObserver observer = {});

    Result<Registered> registerUser(const RegisterInput& in, const Metadata& meta);
    // A session of the user whose password was checked at credentialVersion: refused
    // (invalid_credentials) when the password changed since, in the same decision as its start.
    Result<StartedSession> startSession(const UserId& user, std::int64_t credentialVersion, const Metadata& meta);
    // The email and password of an active or banned (403) account; 401 invalid_credentials otherwise,
    // at the cost of one Argon2id verification either way.
    Result<SignedIn> signIn(const std::string& email, const std::string& password, const Metadata& meta);
    // Rotates the presented refresh token of the session. The token rotated away last, presented
    // again within the grace period, answers with the same successor; any other token already
    // rotated away revokes the session and is refused with refresh_token_reused; a session begun
    // before the password last changed is revoked and refused.
    Result<Refreshed> rotateRefreshToken(const SessionId& session, const std::string& presentedToken,
                                         const Metadata& meta);
    Result<Done> revokeSession(const SessionId& session, const std::string& reason, const Metadata& meta);
    Result<Done> updateProfile(const UserId& user, std::optional<std::string> firstName,
                               std::optional<std::string> lastName, std::optional<std::string> bio,
                               const Metadata& meta);
    // Erasure: the user's key (and their sessions') is shredded, the email freed and every
    // session revoked, in the erasure's transaction.
    Result<Done> erase(const UserId& user, const Metadata& meta);
    // Signs out every other session of the user and voids pending reset links, in the change's
    // transaction; `current` carries on under the new credentials.
    Result<Done> changePassword(const UserId& user, const SessionId& current, const std::string& currentPassword,
                                const std::string& newPassword, const Metadata& meta);
    // Records a reset for the active account with this email, if there is one (nothing is said
    // either way); the mailer mails its token. Returns the reset's id when one was made.
    std::optional<std::string> requestPasswordReset(const std::string& email, const Metadata& meta);
    // Spends a reset token of the user and signs out every session, in one transaction.
    Result<Done> resetPassword(const UserId& user, const std::string& token, const std::string& newPassword,
                               const Metadata& meta);
    Result<Done> ban(const UserId& user, const std::string& reason, const Metadata& meta);
    Result<Done> activate(const UserId& user, const Metadata& meta);

    // Re-keys the reservations made as a bare sha256 (kLegacyEmailScope) whose user the read
    // model knows; returns how many. Idempotent; run at start.
    int rekeyEmailReservations();

private:
    // What a command on the user's stream does to their sessions, in its transaction.
    struct SessionsOutcome {
        std::string reason;                // of the revocations
        std::optional<SessionId> renewed;  // carries on under the user's new credentials
    };
    std::optional<DomainError> settleSessions(pg::Connection& c, const UserId& user, const SessionsOutcome& outcome,
                                              const Metadata& meta, std::vector<eventstore::RecordedEvent>& written);
    eventstore::CommandOptions sessionOptions(std::function<std::optional<DomainError>(pg::Connection&)> extra = {});
    // The sealing of a stream's secret and personal fields, for the user or session decider.
    void seal(eventstore::CommandOptions& o, std::span<const std::string_view> fields);
    Result<Done> userCommand(const UserId& user, const domain::identity::User::Command& command, const Metadata& meta,
                             const std::optional<SessionsOutcome>& sessions,
                             std::function<std::optional<DomainError>(pg::Connection&)> extra = {});

    template <class Decider>
    Result<eventstore::CommandResult> run(const std::string& stream, const typename Decider::Command& command,
                                          const Metadata& meta, eventstore::CommandOptions options);
    eventstore::CommandOptions userOptions(std::function<std::optional<DomainError>(pg::Connection&)> extra = {});

    pg::Connection& c_;
    const Clock& clock_;
    const Settings& s_;
    CommitObserver observer_;
};

}  // namespace lms::identity
