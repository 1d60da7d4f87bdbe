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
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/config.hpp"
#include "common/expected.hpp"
#include "common/password.hpp"
#include "domain/core/decider.hpp"
#include "domain/identity/ids.hpp"
#include "eventstore/command_loop.hpp"
#include "projections/identity/queries.hpp"

namespace lms::identity {

using domain::DomainError;
using domain::Metadata;
using domain::identity::SessionId;
using domain::identity::UserId;
using projections::identity::UserRow;

// Scope of the email reservation (lms_reservations); its value is sha256(normalised email).
inline constexpr const char* kEmailScope = "email";

struct Settings {
    password::Cost cost;  // Argon2id cost of new hashes
    std::int64_t refreshTtlS = 2592000;
    std::int64_t resetTtlS = 30 * 60;
    std::string secret;     // derives password-reset tokens (the mailer derives the same)
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

// Every field of a registration at fault, password policy included: pure, for one 422.
std::vector<domain::FieldError> registrationErrors(const RegisterInput& in);
// The password policy's verdict on a new password, on the field `newPassword`.
std::vector<domain::FieldError> newPasswordErrors(const std::string& newPassword);

class Commands {
public:
    Commands(pg::Connection& c, const Clock& clock, const Settings& settings, CommitObserver observer = {});

    Result<Registered> registerUser(const RegisterInput& in, const Metadata& meta);
    Result<StartedSession> startSession(const UserId& user, const Metadata& meta);
    // The email and password of an active or banned (403) account; 401 invalid_credentials otherwise,
    // at the cost of one Argon2id verification either way.
    Result<SignedIn> signIn(const std::string& email, const std::string& password, const Metadata& meta);
    // Rotates the presented refresh token of the session. A token already rotated away revokes the
    // session and is refused with refresh_token_reused.
    Result<Refreshed> rotateRefreshToken(const SessionId& session, const std::string& presentedToken,
                                         const Metadata& meta);
    Result<Done> revokeSession(const SessionId& session, const std::string& reason, const Metadata& meta);
    // Revokes every active session of the user but `except`.
    void revokeSessions(const UserId& user, const std::optional<SessionId>& except, const std::string& reason,
                        const Metadata& meta);
    Result<Done> updateProfile(const UserId& user, std::optional<std::string> firstName,
                               std::optional<std::string> lastName, std::optional<std::string> bio,
                               const Metadata& meta);
    // Erasure: the user's key is shredded and the email freed in the erasure's transaction; every
    // session is revoked.
    Result<Done> erase(const UserId& user, const Metadata& meta);
    // Signs out every other session of the user.
    Result<Done> changePassword(const UserId& user, const SessionId& current, const std::string& currentPassword,
                                const std::string& newPassword, const Metadata& meta);
    // Records a reset for the active account with this email, if there is one (nothing is said
    // either way); the mailer mails its token. Returns the reset's id when one was made.
    std::optional<std::string> requestPasswordReset(const std::string& email, const Metadata& meta);
    // Spends a reset token of the user and signs out every session.
    Result<Done> resetPassword(const UserId& user, const std::string& token, const std::string& newPassword,
                               const Metadata& meta);
    Result<Done> ban(const UserId& user, const std::string& reason, const Metadata& meta);
    Result<Done> activate(const UserId& user, const Metadata& meta);

private:
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
