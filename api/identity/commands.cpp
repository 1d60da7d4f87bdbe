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

eventstore::CommandOptions sessionOptions() {
    eventstore::CommandOptions o;
    o.withinTransaction = [](pg::Connection& c,
                             const std::vector<eventstore::RecordedEvent>& written) -> std::optional<DomainError> {
        applyInline(c, written);
        return std::nullopt;
    };
    return o;
}

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

Commands::Commands(pg::Connection& c, const Clock& clock, const Settings& settings, CommitObserver observer)
    : c_(c), clock_(clock), s_(settings), observer_(std::move(observer)) {}

template <class Decider>
Result<eventstore::CommandResult> Commands::run(const std::string& stream, const typename Decider::Command& command,
                                                const Metadata& meta, eventstore::CommandOptions options) {
    auto r = eventstore::handleCommand<Decider>(c_, stream, command, meta, options);
    if (r && !r->events.empty() && observer_) observer_(r->events);
    return r;
}

eventstore::CommandOptions Commands::userOptions(std::function<std::optional<DomainError>(pg::Connection&)> extra) {
    eventstore::CommandOptions o;
    o.encode = [this](const std::string& s, domain::DomainEvent e) {
        return eventstore::PersonalData(c_).sealFields(s, std::move(e), di::kPersonalFields);
    };
    o.decode = [this](const std::string& s, domain::DomainEvent e) {
        return eventstore::PersonalData(c_).openFields(s, std::move(e), di::kPersonalFields);
    };
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
            {kEmailScope, sha256Hex(email), stream});
        if (r.affected() == "1") return std::nullopt;
        return refusal(Kind::Conflict, "email_taken", "an account with this email exists", "email",
                       {{"email", "is already registered"}});
    });
    auto done = run<di::User>(stream, di::User::Command{cmd}, meta, std::move(options));
    if (!done) return unexpected(done.error());
    return Registered{userId, email};
}

Result<StartedSession> Commands::startSession(const UserId& user, const Metadata& meta) {
    StartedSession started{SessionId(newUuid()), randomToken()};
    const auto now = clock_.nowUs();
    const di::StartSession cmd{started.sessionId, user, sha256Hex(started.refreshToken),
                               now + s_.refreshTtlS * 1'000'000, now};
    auto done = run<di::Session>(di::sessionStream(started.sessionId), di::Session::Command{cmd},
                                 as(meta, user.value()), sessionOptions());
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
    auto session = startSession(found->user.id, meta);
    if (!session) return unexpected(session.error());
    return SignedIn{found->user, std::move(*session)};
}

Result<Refreshed> Commands::rotateRefreshToken(const SessionId& session, const std::string& presentedToken,
                                               const Metadata& meta) {
    const auto owner = q::findSession(c_, session);
    Refreshed out{session, owner ? owner->userId : UserId(), "", randomToken()};
    const auto now = clock_.nowUs();
    const di::RotateRefreshToken cmd{sha256Hex(presentedToken), sha256Hex(out.refreshToken),
                                     now + s_.refreshTtlS * 1'000'000, now};
    auto rotated = run<di::Session>(di::sessionStream(session), di::Session::Command{cmd},
                                    as(meta, owner && owner->user ? owner->userId.value() : ""), sessionOptions());
    if (!rotated) return unexpected(rotated.error());
    if (!rotated->events.empty() && rotated->events.back().type == di::SessionRevoked::kType) {
        spdlog::warn("session {}: a rotated refresh token was presented again; the session is revoked", session.value());
        return unexpected(refusal(Kind::Unauthenticated, "refresh_token_reused",
                                  "this refresh token was already used; the session is revoked, sign in again"));
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

void Commands::revokeSessions(const UserId& user, const std::optional<SessionId>& except, const std::string& reason,
                              const Metadata& meta) {
    for (const auto& sid : q::activeSessionsOf(c_, user)) {
        if (except && sid == *except) continue;
        auto done = revokeSession(sid, reason, meta);
        if (!done) spdlog::warn("revoking session {}: {}", sid.value(), done.error().message);
    }
}

Result<Done> Commands::updateProfile(const UserId& user, std::optional<std::string> firstName,
                                     std::optional<std::string> lastName, std::optional<std::string> bio,
                                     const Metadata& meta) {
    const di::UpdateProfile cmd{std::move(firstName), std::move(lastName), std::move(bio), clock_.nowUs()};
    auto done = run<di::User>(di::userStream(user), di::User::Command{cmd}, meta, userOptions());
    if (!done) return unexpected(done.error());
    return Done{};
}

Result<Done> Commands::erase(const UserId& user, const Metadata& meta) {
    const std::string stream = di::userStream(user);
    // In the erasure's transaction: the read model row becomes a tombstone (inline projection),
    // the key that opens every personal field of the history is destroyed, and the email is free.
    auto done = run<di::User>(stream, di::User::Command{di::Erase{clock_.nowUs()}}, meta,
                              userOptions([&](pg::Connection& c) -> std::optional<DomainError> {
                                  eventstore::PersonalData(c).shred(stream);
                                  c.query("DELETE FROM lms_reservations WHERE owner = $1", {stream});
                                  return std::nullopt;
                              }));
    if (!done) return unexpected(done.error());
    revokeSessions(user, std::nullopt, "user_erased", meta);
    return Done{};
}

Result<Done> Commands::changePassword(const UserId& user, const SessionId& current, const std::string& currentPassword,
                                      const std::string& newPassword, const Metadata& meta) {
    if (auto errors = newPasswordErrors(newPassword); !errors.empty())
        return unexpected(newPasswordRefused(std::move(errors)));
    const auto hash = q::passwordHashOf(c_, user);
    if (!hash || !password::verify(*hash, currentPassword)) {
        return unexpected(refusal(Kind::Validation, "wrong_password", "the current password is wrong",
                                  "currentPassword", {{"currentPassword", "is wrong"}}));
    }
    const di::ChangePassword cmd{password::hash(newPassword, s_.cost), clock_.nowUs()};
    auto done = run<di::User>(di::userStream(user), di::User::Command{cmd}, meta, userOptions());
    if (!done) return unexpected(done.error());
    revokeSessions(user, current, "password_changed", meta);
    return Done{};
}

std::optional<std::string> Commands::requestPasswordReset(const std::string& email, const Metadata& meta) {
    const auto found = q::findUserByEmail(c_, di::normalizeEmail(email));
    if (!found || found->user.status != "ACTIVE") return std::nullopt;
    const std::string resetId = newUuid();
    const auto now = clock_.nowUs();
    const di::RequestPasswordReset cmd{di::ResetId(resetId),
                                       sha256Hex(deriveToken(s_.secret, di::kResetTokenPurpose, resetId)),
                                       now + s_.resetTtlS * 1'000'000, now};
    auto done = run<di::User>(di::userStream(found->user.id), di::User::Command{cmd}, as(meta, found->user.id.value()),
                              userOptions());
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
    auto done = run<di::User>(di::userStream(user), di::User::Command{cmd}, as(meta, user.value()), userOptions());
    if (!done) return unexpected(done.error());
    revokeSessions(user, std::nullopt, "password_reset", as(meta, user.value()));
    return Done{};
}

Result<Done> Commands::ban(const UserId& user, const std::string& reason, const Metadata& meta) {
    if (user.value() == meta.actorId) {
        return unexpected(refusal(Kind::Validation, "cannot_ban_self", "an admin cannot ban their own account", "id",
                                  {{"id", "is your own account"}}));
    }
    auto done = run<di::User>(di::userStream(user), di::User::Command{di::Ban{reason, clock_.nowUs()}}, meta,
                              userOptions());
    if (!done) return unexpected(done.error());
    revokeSessions(user, std::nullopt, "user_banned", meta);
    return Done{};
}

Result<Done> Commands::activate(const UserId& user, const Metadata& meta) {
    auto done = run<di::User>(di::userStream(user), di::User::Command{di::Activate{clock_.nowUs()}}, meta,
                              userOptions());
    if (!done) return unexpected(done.error());
    return Done{};
}

}  // namespace lms::identity
