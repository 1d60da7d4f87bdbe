#include "projections/identity/projection.hpp"

#include <nlohmann/json.hpp>

#include "domain/identity/events.hpp"
#include "domain/identity/user.hpp"
#include "eventstore/personal_data.hpp"

namespace lms::projections::identity {
namespace {

namespace di = domain::identity;
using domain::Overloaded;

// A personal field opened: empty once the person's key is shredded reads as SQL NULL.
pg::Param personal(const std::optional<std::string>& v) {
    if (!v || v->empty()) return std::nullopt;
    return *v;
}

domain::DomainEvent domainEvent(const eventstore::RecordedEvent& e) {
    return {e.type, e.schemaVersion, nlohmann::json::parse(e.data, nullptr, false)};
}

void applyUser(pg::Connection& c, const eventstore::RecordedEvent& r, const di::UserId& userId) {
    auto stored = domainEvent(r);
    if (!stored.data.is_object()) return;
    const auto event = di::UserEvents::decode(
        eventstore::PersonalData(c).openFields(r.streamId, std::move(stored), di::kPersonalFields));
    if (!event) return;
    const std::string& id = userId.value();
    const std::string version = std::to_string(r.version);
    std::visit(Overloaded{
                   [&](const di::UserRegistered& e) {
                       // Once the person's key is shredded the personal fields open to nothing: the row
                       // is made without them, and the erasure that follows turns it into a tombstone.
                       const std::string norm = di::normalizeEmail(e.email);
                       c.query(
                           "INSERT INTO users (user_id, version, email, email_norm, first_name, last_name, role, status, "
                           "password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'ACTIVE', "
                           "$8, $9, $9) ON CONFLICT (user_id) DO NOTHING",
                           {id, version, personal(e.email), personal(norm), personal(e.firstName), personal(e.lastName),
                            di::toString(e.role), e.passwordHash, eventTime(e.at, r)});
                   },
                   [&](const di::UserProfileUpdated& e) {
                       c.query(
                           "UPDATE users SET version = $2, first_name = COALESCE($3, first_name), "
                           "last_name = COALESCE($4, last_name), bio = COALESCE($5, bio), updated_at = $6 "
                           "WHERE user_id = $1 AND version < $2",
                           {id, version, personal(e.firstName), personal(e.lastName),
                            e.bio ? pg::Param(*e.bio) : pg::Param(), eventTime(e.at, r)});
                   },
                   [&](const di::UserPasswordChanged& e) {
                       // A new credential version: sessions of the old one are not honoured, and the
                       // reset links mailed before are void.
                       c.query(
                           "UPDATE users SET version = $2, password_hash = $3, updated_at = $4, "
                           "credential_version = credential_version + 1 WHERE user_id = $1 AND version < $2",
                           {id, version, e.passwordHash, eventTime(e.at, r)});
                       c.query("DELETE FROM password_resets WHERE user_id = $1", {id});
                   },
                   [&](const di::UserPasswordReset& e) {
                       c.query(
                           "UPDATE users SET version = $2, password_hash = $3, updated_at = $4, "
                           "credential_version = credential_version + 1 WHERE user_id = $1 AND version < $2",
                           {id, version, e.passwordHash, eventTime(e.at, r)});
                       c.query("DELETE FROM password_resets WHERE user_id = $1", {id});
                   },
                   [&](const di::UserBanned& e) {
                       c.query(
                           "UPDATE users SET version = $2, status = 'BANNED', updated_at = $3 "
                           "WHERE user_id = $1 AND version < $2 AND status <> 'DELETED'",
                           {id, version, eventTime(e.at, r)});
                   },
                   [&](const di::UserActivated& e) {
                       c.query(
                           "UPDATE users SET version = $2, status = 'ACTIVE', updated_at = $3 "
                           "WHERE user_id = $1 AND version < $2 AND status <> 'DELETED'",
                           {id, version, eventTime(e.at, r)});
                   },
                   [&](const di::UserPasswordResetRequested& e) {
                       c.query(
                           "INSERT INTO password_resets (token_hash, user_id, expires_at) "
                           "SELECT $1::text, $2::uuid, to_timestamp($3::double precision / 1e6) "
                           "WHERE NOT EXISTS (SELECT 1 FROM users WHERE user_id = $2::uuid AND status = 'DELETED') "
                           "ON CONFLICT DO NOTHING",
                           {e.tokenHash, id, std::to_string(e.expiresAt)});
                       c.query("UPDATE users SET version = $2 WHERE user_id = $1 AND version < $2", {id, version});
                   },
                   [&](const di::UserErased& e) {
                       // The tombstone: the row stays, emptied, at the erasure's version, so that no
                       // late write of an earlier event can bring the person back.
                       c.query(
                           "UPDATE users SET version = $2, status = 'DELETED', email = NULL, email_norm = NULL, "
                           "first_name = NULL, last_name = NULL, bio = '', password_hash = '', updated_at = $3 "
                           "WHERE user_id = $1 AND version < $2",
                           {id, version, eventTime(e.at, r)});
                       c.query("DELETE FROM password_resets WHERE user_id = $1", {id});
                   },
               },
               *event);
}

void applySession(pg::Connection& c, const eventstore::RecordedEvent& r, const di::SessionId& sessionId) {
    auto stored = domainEvent(r);
    if (!stored.data.is_object()) return;
    const auto event = di::SessionEvents::decode(
        eventstore::PersonalData(c).openFields(r.streamId, std::move(stored), di::kSessionSecretFields));
    if (!event) return;
    const std::string& id = sessionId.value();
    const std::string version = std::to_string(r.version);
    // Every refresh token a session ever had leads back to it: presenting a rotated one again must
    // still find its session (reuse detection).
    auto rememberToken = [&](const std::string& tokenHash) {
        if (tokenHash.empty()) return;  // the session's key was shredded (its user erased)
        c.query("INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                {tokenHash, id});
    };
    std::visit(Overloaded{
                   [&](const di::SessionStarted& e) {
                       c.query(
                           "INSERT INTO sessions (session_id, version, user_id, status, created_at, last_used_at, "
                           "expires_at, credential_version) VALUES ($1, $2, $3, 'ACTIVE', $4, $4, "
                           "to_timestamp($5::double precision / 1e6), $6) ON CONFLICT (session_id) DO NOTHING",
                           {id, version, e.userId.value(), eventTime(e.at, r), std::to_string(e.expiresAt),
                            std::to_string(e.credentialVersion)});
                       rememberToken(e.tokenHash);
                   },
                   [&](const di::SessionRefreshRepeated& e) {
                       c.query(
                           "UPDATE sessions SET version = $2, last_used_at = $3 WHERE session_id = $1 AND version < $2",
                           {id, version, eventTime(e.at, r)});
                   },
                   [&](const di::SessionCredentialsRenewed& e) {
                       c.query(
                           "UPDATE sessions SET version = $2, credential_version = $3 "
                           "WHERE session_id = $1 AND version < $2",
                           {id, version, std::to_string(e.credentialVersion)});
                   },
                   [&](const di::SessionRefreshed& e) {
                       c.query(
                           "UPDATE sessions SET version = $2, last_used_at = $3, "
                           "expires_at = to_timestamp($4::double precision / 1e6) "
                           "WHERE session_id = $1 AND version < $2",
                           {id, version, eventTime(e.at, r), std::to_string(e.expiresAt)});
                       rememberToken(e.tokenHash);
                   },
                   [&](const di::SessionRevoked& e) {
                       c.query(
                           "UPDATE sessions SET version = $2, status = 'REVOKED', revoked_reason = $3, "
                           "last_used_at = $4 WHERE session_id = $1 AND version < $2",
                           {id, version, e.reason, eventTime(e.at, r)});
                   },
               },
               *event);
}

}  // namespace

std::string Identity::ddl() const {
    return R"sql(
CREATE TABLE users (
    user_id        uuid PRIMARY KEY,
    version        bigint NOT NULL,
    email          text,
    email_norm     text,
    first_name     text,
    last_name      text,
    bio            text NOT NULL DEFAULT '',
    role           text NOT NULL,
    status         text NOT NULL,
    password_hash  text NOT NULL,
    credential_version bigint NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_norm ON users (email_norm);
CREATE INDEX users_created ON users (created_at DESC, user_id) WHERE status <> 'DELETED';
CREATE TABLE sessions (
    session_id      uuid PRIMARY KEY,
    version         bigint NOT NULL,
    user_id         uuid NOT NULL,
    status          text NOT NULL,
    revoked_reason  text,
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    credential_version bigint NOT NULL DEFAULT 0
);
CREATE INDEX sessions_active_by_user ON sessions (user_id) WHERE status = 'ACTIVE';
CREATE TABLE refresh_tokens (
    token_hash  text PRIMARY KEY,
    session_id  uuid NOT NULL
);
CREATE TABLE password_resets (
    token_hash  text PRIMARY KEY,
    user_id     uuid NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);
)sql";
}

void Identity::apply(pg::Connection& c, const eventstore::RecordedEvent& e) {
    if (const auto user = di::userOfStream(e.streamId)) applyUser(c, e, *user);
    else if (const auto session = di::sessionOfStream(e.streamId)) applySession(c, e, *session);
}

}  // namespace lms::projections::identity
