#include "api/identity/commands.hpp"

#include <spdlog/spdlog.h>

#include "common/ids.hpp"
#include "common/secure.hpp"
#include "common/sha256.hpp"
#include "domain/identity/session.hpp"
#include "domain/identity/user.hpp"
#include "eventstore/command_loop.hpp"
#include "eventstore/personal_data.hpp"
#include "projections/identity/projection.hpp"
#include "projections/runner.hpp"

namespace lms::identity {
namespace {

namespace di = domain::identity;
namespace q = projections::identity;
using Kind = DomainError::Kind;

DomainError refusal(Kind kind, std::string code, std::string message, std::string field = {},
                    std::vector<domain::FieldError> errors = {}) {
    return DomainError{kind, std::move(code), std::move(message), std::move(field), std::move(errors)};
}

DomainError newPasswordRefused(std::vector<domain::FieldError> errors) {
    return refusal(Kind::Validation, "validation_failed", "the request has invalid fields", "newPassword",
                   std::move(errors));
}

Metadata as(Metadata meta, const std::string& actor) {
    meta.actorId = actor;
    return meta;
}

void applyInline(pg::Connection& c, const std::vector<eventstore::RecordedEvent>& written) {
    q::Identity readModel;
    projections::applyInline(c, readModel, written);
}

// The purposes of the keys derived from the server's secret (common/sha256.hpp deriveKey).
constexpr std::string_view kRefreshTokenPurpose = "refresh-token";
constexpr std::string_view kEmailReservationPurpose = "email-reservation";

}  // namespace

password::Cost Settings::costFrom(const Config& config) {
    password::Cost cost;
    cost.memoryKiB = static_cast<std::uint32_t>(config.argon2MemoryKiB);
    cost.timeCost = static_cast<std::uint32_t>(config.argon2Iterations);
    return cost;
}

Settings Settings::from(const Config& config, std::string secret) {
    Settings s;
    s.cost = costFrom(config);
    s.refreshTtlS = config.refreshTokenTtlS;
    s.refreshGraceUs = static_cast<std::int64_t>(config.refreshGraceS) * 1'000'000;
    s.secret = std::move(secret);
    s.dummyHash = password::hash(randomToken(), s.cost);
    return s;
}

std::vector<domain::FieldError> registrationErrors(const RegisterInput& in) {
    std::vector<domain::FieldError> errors;
    if (const auto policy = di::checkPasswordPolicy(in.password)) {
        errors.insert(errors.end(), policy->errors.begin(), policy->errors.end());
    }
    // The decider judges everything else; a placeholder stands for the hash not made yet.
    const di::Register probe{di::UserId(""), in.email, "(not hashed yet)", in.firstName,
                             in.lastName,    in.role,  in.byAdmin,         0};
    for (auto& e : di::registrationErrors(probe)) errors.push_back(std::move(e));
    return errors;
}

std::vector<domain::FieldError> newPasswordErrors(const std::string& newPassword) {
    const auto policy = di::checkPasswordPolicy(newPassword);
    if (!policy) return {};
    return {{"newPassword", policy->errors.empty() ? policy->message : policy->errors.front().message}};
}

std::string refreshTokenAfter(const std::string& secret, const SessionId& session, const std::string& previous) {
    // The session id binds the token to its family; the previous token's hash, to its place in it.
    return deriveToken(secret, kRefreshTokenPurpose,
                       session.value() + ":" + (previous.empty() ? std::string("start") : sha256Hex(previous)));
}

std::string emailReservation(const std::string& secret, const std::string& emailNorm) {
    return toHex(hmacSha256(deriveKey(secret, kEmailReservationPurpose), emailNorm));
}

Commands::Commands(pg::Connection& c, const Clock& clock, const Settings& settings, CommitObserver observer)
    : c_(c), clock_(clock), s_(settings), observer_(std::move(observer)) {}

template <class Decider>
Result<eventstore::CommandResult> Commands::run(const std::string& stream, const typename Decider::Command& command,
                                                const Metadata& meta, eventstore::CommandOptions options) {
    auto r = eventstore::handleCommand<Decider>(c_, stream, command, meta, options);
    if (r && !r->events.empty() && observer_) observer_(r->events);
    return r;
}

void Commands::seal(eventstore::CommandOptions& o, std::span<const std::string_view> fields) {
    o.encode = [this, fields](const std::string& s, domain::DomainEvent e) {
        return eventstore::PersonalData(c_).sealFields(s, std::move(e), fields);
    };
    o.decode = [this, fields](const std::string& s, domain::DomainEvent e) {
        return eventstore::PersonalData(c_).openFields(s, std::move(e), fields);
    };
}

namespace {

using Extra = std::function<std::optional<DomainError>(pg::Connection&)>;

eventstore::CommandOptions inlineOptions(Extra extra) {
    eventstore::CommandOptions o;
    o.withinTransaction = [extra = std::move(extra)](
                              pg::Connection& c,
                              const std::vector<eventstore::RecordedEvent>& written) -> std::optional<DomainError> {
        if (extra) {
            if (auto refused = extra(c)) return refused;
        }
        applyInline(c, written);
        return std::nullopt;
    };
    return o;
}

}  // namespace

eventstore::CommandOptions Commands::userOptions(Extra extra) {
    auto o = inlineOptions(std::move(extra));
    seal(o, di::kPersonalFields);
    return o;
}

eventstore::CommandOptions Commands::sessionOptions(Extra extra) {
    auto o = inlineOptions(std::move(extra));
    seal(o, di::kSessionSecretFields);
    return o;
}

std::optional<DomainError> Commands::settleSessions(pg::Connection& c, const UserId& user,
                                                    const SessionsOutcome& outcome, const Metadata& meta,
                                                    std::vector<eventstore::RecordedEvent>& written) {
    // After the user's row was updated (the inline projection ran first): a sign-in checking the
    // same row either committed its session before (listed here) or waits and sees the change.
    const auto credentials = q::lockCredentials(c, user);
    const auto now = clock_.nowUs();
    for (const auto& sid : q::activeSessionsOf(c, user)) {
        di::Session::Command command = di::RevokeSession{outcome.reason, now};
        if (outcome.renewed && sid == *outcome.renewed && credentials) {
            command = di::RenewCredentials{credentials->version, now};
        }
        // Joins this transaction: a conflict (the session refreshed meanwhile) restarts the whole
        // command (eventstore/command_loop.hpp).
        auto done = eventstore::handleCommand<di::Session>(c, di::sessionStream(sid), command, meta, sessionOptions());
        if (!done) {
            if (done.error().code == eventstore::kConcurrencyConflict) return done.error();
            continue;  // nothing to revoke there
        }
        written.insert(written.end(), done->events.begin(), done->events.end());
    }
    return std::nullopt;
}

Result<Done> Commands::userCommand(const UserId& user, const di::User::Command& command, const Metadata& meta,
                                   const std::optional<SessionsOutcome>& sessions, Extra extra) {
    std::vector<eventstore::RecordedEvent> sessionEvents;
    auto options = userOptions(std::move(extra));
    if (sessions) {
        options.withinTransaction =
            [this, user, meta, sessions, &sessionEvents, inner = std::move(options.withinTransaction)](
                pg::Connection& c, const std::vector<eventstore::RecordedEvent>& written) -> std::optional<DomainError> {
            sessionEvents.clear();  // a restarted attempt starts over
            if (auto refused = inner(c, written)) return refused;
            return settleSessions(c, user, *sessions, meta, sessionEvents);
        };
    }
    auto done = run<di::User>(di::userStream(user), command, meta, std::move(options));
    if (!done) return unexpected(done.error());
    if (!sessionEvents.empty() && observer_) observer_(sessionEvents);
    return Done{};
}

Result<Registered> Commands::registerUser(const RegisterInput& in, const Metadata& meta) {
    if (auto errors = registrationErrors(in); !errors.empty()) {
        const std::string field = errors.front().field;
        return unexpected(
            refusal(Kind::Validation, "validation_failed", "the request has invalid fields", field, std::move(errors)));
    }
    const UserId userId(newUuid());
    const std::string stream = di::userStream(userId);
    const std::string email = di::normalizeEmail(in.email);
    const di::Register cmd{userId,       in.email,      password::hash(in.password, s_.cost),
                           in.firstName, in.lastName,   in.role,
                           in.byAdmin,   clock_.nowUs()};
    auto options = userOptions([&](pg::Connection& c) -> std::optional<DomainError> {
        const auto r = c.query(
            "INSERT INTO lms_reservations (scope, value_hash, owner) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            {kEmailScope, emailReservation(s_.secret, email), stream});
        // A reservation made before they were keyed holds the address too, until it is re-keyed.
        if (r.affected() == "1" && c.query("SELECT 1 FROM lms_reservations WHERE scope = $1 AND value_hash = $2",
                                           {kLegacyEmailScope, sha256Hex(email)})
                                           .rows() == 0) {
            return std::nullopt;
        }
        return refusal(Kind::Conflict, "email_taken", "an account with this email exists", "email",
                       {{"email", "is already registered"}});
    });
    auto done = run<di::User>(stream, di::User::Command{cmd}, meta, std::move(options));
    if (!done) return unexpected(done.error());
    return Registered{userId, email};
}

Result<StartedSession> Commands::startSession(const UserId& user, std::int64_t credentialVersion, const Metadata& meta) {
    StartedSession started{SessionId(newUuid()), ""};
    started.refreshToken = refreshTokenAfter(s_.secret, started.sessionId, "");
    const auto now = clock_.nowUs();
    const di::StartSession cmd{
        started.sessionId, user, sha256Hex(started.refreshToken), now + s_.refreshTtlS * 1'000'000, now,
        credentialVersion};
    // The password was checked against credentialVersion: the session begins only if that is
    // still the user's, decided in the transaction that starts it.
    auto options = sessionOptions([&](pg::Connection& c) -> std::optional<DomainError> {
        const auto credentials = q::lockCredentials(c, user);
        if (!credentials || credentials->version != credentialVersion) {
            return refusal(Kind::Unauthenticated, "invalid_credentials", "the email or the password is wrong");
        }
        if (credentials->status == "BANNED") return refusal(Kind::Forbidden, "account_banned", "the account is banned");
        return std::nullopt;
    });
    auto done = run<di::Session>(di::sessionStream(started.sessionId), di::Session::Command{cmd},
                                 as(meta, user.value()), std::move(options));
    if (!done) return unexpected(done.error());
    return started;
}

Result<SignedIn> Commands::signIn(const std::string& email, const std::string& password, const Metadata& meta) {
    const auto found = q::findUserByEmail(c_, di::normalizeEmail(email));
    // An unknown email costs one Argon2id verification too, so that timing tells nothing.
    const bool match = password::verify(found ? found->passwordHash : s_.dummyHash, password) && found;
    if (!match)
        return unexpected(refusal(Kind::Unauthenticated, "invalid_credentials", "the email or the password is wrong"));
    if (found->user.status == "BANNED") {
        return unexpected(refusal(Kind::Forbidden, "account_banned", "the account is banned"));
    }
    auto session = startSession(found->user.id, found->credentialVersion, meta);
    if (!session) return unexpected(session.error());
    return SignedIn{found->user, std::move(*session)};
}

Result<Refreshed> Commands::rotateRefreshToken(const SessionId& session, const std::string& presentedToken,
                                               const Metadata& meta) {
    const auto owner = q::findSession(c_, session);
    const std::string successor = refreshTokenAfter(s_.secret, session, presentedToken);
    Refreshed out{session, owner ? owner->userId : UserId(), "", successor};
    const auto now = clock_.nowUs();
    const di::RotateRefreshToken cmd{sha256Hex(presentedToken),
                                     sha256Hex(successor),
                                     now + s_.refreshTtlS * 1'000'000,
                                     now,
                                     owner ? owner->userCredentialVersion : -1,
                                     s_.refreshGraceUs};
    auto rotated = run<di::Session>(di::sessionStream(session), di::Session::Command{cmd},
                                    as(meta, owner && owner->user ? owner->userId.value() : ""), sessionOptions());
    if (!rotated) return unexpected(rotated.error());
    if (!rotated->events.empty() && rotated->events.back().type == di::SessionRevoked::kType) {
        if (rotated->events.back().data.find("refresh_token_reuse") != std::string::npos) {
            spdlog::warn("session {}: a rotated refresh token was presented again; the session is revoked",
                         session.value());
            return unexpected(refusal(Kind::Unauthenticated, "refresh_token_reused",
                                      "this refresh token was already used; the session is revoked, sign in again"));
        }
        return unexpected(refusal(Kind::Unauthenticated, "invalid_refresh_token",
                                  "the password changed since this session began; sign in again"));
    }
    if (!owner || !owner->user) {
        return unexpected(refusal(Kind::Unauthenticated, "invalid_refresh_token", "the refresh token is not valid"));
    }
    if (owner->user->status == "BANNED")
        return unexpected(refusal(Kind::Forbidden, "account_banned", "the account is banned"));
    out.role = owner->user->role;
    return out;
}

Result<Done> Commands::revokeSession(const SessionId& session, const std::string& reason, const Metadata& meta) {
    auto done = run<di::Session>(di::sessionStream(session),
                                 di::Session::Command{di::RevokeSession{reason, clock_.nowUs()}}, meta,
                                 sessionOptions());
    if (!done) return unexpected(done.error());
    return Done{};
}

Result<Done> Commands::updateProfile(const UserId& user, std::optional<std::string> firstName,
                                     std::optional<std::string> lastName, std::optional<std::string> bio,
                                     const Metadata& meta) {
    const di::UpdateProfile cmd{std::move(firstName), std::move(lastName), std::move(bio), clock_.nowUs()};
    return userCommand(user, di::User::Command{cmd}, meta, std::nullopt);
}

Result<Done> Commands::erase(const UserId& user, const Metadata& meta) {
    const std::string stream = di::userStream(user);
    // In the erasure's transaction: the read model row becomes a tombstone (inline projection),
    // every session is revoked, the keys that open every personal and secret field of the
    // person's history and of their sessions' are destroyed, and the email is free.
    return userCommand(user, di::User::Command{di::Erase{clock_.nowUs()}}, meta, SessionsOutcome{"user_erased", {}},
                       [&](pg::Connection& c) -> std::optional<DomainError> {
                           eventstore::PersonalData personal(c);
                           personal.shred(stream);
                           for (const auto& sid : q::sessionsOf(c, user)) personal.shred(di::sessionStream(sid));
                           c.query("DELETE FROM lms_reservations WHERE owner = $1", {stream});
                           return std::nullopt;
                       });
}

Result<Done> Commands::changePassword(const UserId& user, const SessionId& current, const std::string& currentPassword,
                                      const std::string& newPassword, const Metadata& meta) {
    if (auto errors = newPasswordErrors(newPassword); !errors.empty())
        return unexpected(newPasswordRefused(std::move(errors)));
    const auto found = q::findUserWithPassword(c_, user);
    if (!found || !password::verify(found->passwordHash, currentPassword)) {
        return unexpected(refusal(Kind::Validation, "wrong_password", "the current password is wrong",
                                  "currentPassword", {{"currentPassword", "is wrong"}}));
    }
    const di::ChangePassword cmd{password::hash(newPassword, s_.cost), clock_.nowUs()};
    return userCommand(user, di::User::Command{cmd}, meta, SessionsOutcome{"password_changed", current});
}

std::optional<std::string> Commands::requestPasswordReset(const std::string& email, const Metadata& meta) {
    const auto found = q::findUserByEmail(c_, di::normalizeEmail(email));
    if (!found || found->user.status != "ACTIVE") return std::nullopt;
    const std::string resetId = newUuid();
    const auto now = clock_.nowUs();
    const di::RequestPasswordReset cmd{di::ResetId(resetId),
                                       sha256Hex(deriveToken(s_.secret, di::kResetTokenPurpose, resetId)),
                                       now + s_.resetTtlS * 1'000'000, now};
    auto done = userCommand(found->user.id, di::User::Command{cmd}, as(meta, found->user.id.value()), std::nullopt);
    if (!done) {
        spdlog::warn("password reset for {}: {}", found->user.id.value(), done.error().message);
        return std::nullopt;
    }
    return resetId;
}

Result<Done> Commands::resetPassword(const UserId& user, const std::string& token, const std::string& newPassword,
                                     const Metadata& meta) {
    if (auto errors = newPasswordErrors(newPassword); !errors.empty())
        return unexpected(newPasswordRefused(std::move(errors)));
    const di::ResetPassword cmd{sha256Hex(token), password::hash(newPassword, s_.cost), clock_.nowUs()};
    return userCommand(user, di::User::Command{cmd}, as(meta, user.value()), SessionsOutcome{"password_reset", {}});
}

Result<Done> Commands::ban(const UserId& user, const std::string& reason, const Metadata& meta) {
    if (user.value() == meta.actorId) {
        return unexpected(refusal(Kind::Validation, "cannot_ban_self", "an admin cannot ban their own account", "id",
                                  {{"id", "is your own account"}}));
    }
    return userCommand(user, di::User::Command{di::Ban{reason, clock_.nowUs()}}, meta,
                       SessionsOutcome{"user_banned", {}});
}

Result<Done> Commands::activate(const UserId& user, const Metadata& meta) {
    // Named, not a std::nullopt temporary: g++ 12 -O2 takes that temporary's inlined destructor
    // for a read of uninitialised memory (-Wmaybe-uninitialized) and the release build fails.
    const std::optional<SessionsOutcome> sessionsUntouched;
    return userCommand(user, di::User::Command{di::Activate{clock_.nowUs()}}, meta, sessionsUntouched);
}

int Commands::rekeyEmailReservations() {
    int rekeyed = 0;
    for (;;) {
        pg::Transaction tx(c_);
        const auto legacy = q::legacyEmailReservations(c_, kLegacyEmailScope, 500);
        int done = 0;
        for (const auto& r : legacy) {
            // Only a row that is what it claims to be: the sha256 of its owner's address.
            if (sha256Hex(r.emailNorm) != r.valueHash) continue;
            c_.query(
                "INSERT INTO lms_reservations (scope, value_hash, owner) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                {kEmailScope, emailReservation(s_.secret, r.emailNorm), r.owner});
            c_.query("DELETE FROM lms_reservations WHERE scope = $1 AND value_hash = $2",
                     {kLegacyEmailScope, r.valueHash});
            ++done;
        }
        tx.commit();
        rekeyed += done;
        if (done == 0 || static_cast<int>(legacy.size()) < 500) break;
    }
    return rekeyed;
}

}  // namespace lms::identity
