#include "projections/identity.hpp"

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "eventstore/personal_data.hpp"

namespace lms::projections {
namespace {

std::string idOf(const std::string& streamId) {
    const auto dash = streamId.find('-');
    return dash == std::string::npos ? streamId : streamId.substr(dash + 1);
}

std::string at(const nlohmann::json& d, const eventstore::RecordedEvent& e) {
    const auto us = d.contains("at") && d["at"].is_number_integer() ? d["at"].get<std::int64_t>() : e.recordedAtUs;
    return formatTimestampUs(us);
}

std::string str(const nlohmann::json& d, const char* k) {
    const auto it = d.find(k);
    return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A personal field in clear, or nothing once the person's key is shredded.
pg::Param personal(eventstore::PersonalData& pd, const std::string& subject, const nlohmann::json& d, const char* k) {
    const auto it = d.find(k);
    if (it == d.end() || !it->is_string()) return std::nullopt;
    const std::string v = *it;
    if (!eventstore::PersonalData::isSealed(v)) return v;
    return pd.open(subject, v);
}

void applyUser(pg::Connection& c, const eventstore::RecordedEvent& e, const nlohmann::json& d) {
    const std::string userId = idOf(e.streamId);
    const std::string version = std::to_string(e.version);
    eventstore::PersonalData pd(c);
    if (e.type == "UserRegistered") {
        const auto email = personal(pd, e.streamId, d, "email");
        if (!email) return;  // erased since: nothing about this person may reappear
        std::string norm = *email;
        for (auto& ch : norm) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        c.query("INSERT INTO users (user_id, version, email, email_norm, first_name, last_name, role, status, "
                "password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'ACTIVE', $8, $9, $9) "
                "ON CONFLICT (user_id) DO NOTHING",
                {userId, version, email, norm, personal(pd, e.streamId, d, "firstName"),
                 personal(pd, e.streamId, d, "lastName"), str(d, "role"), str(d, "passwordHash"), at(d, e)});
    } else if (e.type == "UserProfileUpdated") {
        c.query("UPDATE users SET version = $2, first_name = COALESCE($3, first_name), "
                "last_name = COALESCE($4, last_name), bio = COALESCE($5, bio), updated_at = $6 "
                "WHERE user_id = $1 AND version < $2",
                {userId, version, personal(pd, e.streamId, d, "firstName"), personal(pd, e.streamId, d, "lastName"),
                 personal(pd, e.streamId, d, "bio"), at(d, e)});
    } else if (e.type == "UserPasswordChanged" || e.type == "UserPasswordReset") {
        c.query("UPDATE users SET version = $2, password_hash = $3, updated_at = $4 WHERE user_id = $1 AND version < $2",
                {userId, version, str(d, "passwordHash"), at(d, e)});
        if (e.type == "UserPasswordReset") c.query("DELETE FROM password_resets WHERE user_id = $1", {userId});
    } else if (e.type == "UserBanned" || e.type == "UserActivated") {
        c.query("UPDATE users SET version = $2, status = $3, updated_at = $4 WHERE user_id = $1 AND version < $2",
                {userId, version, e.type == "UserBanned" ? "BANNED" : "ACTIVE", at(d, e)});
    } else if (e.type == "UserPasswordResetRequested") {
        c.query("INSERT INTO password_resets (token_hash, user_id, expires_at) "
                "VALUES ($1, $2, to_timestamp($3::double precision / 1e6)) ON CONFLICT DO NOTHING",
                {str(d, "tokenHash"), userId, std::to_string(d.value("expiresAt", std::int64_t{0}))});
        c.query("UPDATE users SET version = $2 WHERE user_id = $1 AND version < $2", {userId, version});
    } else if (e.type == "UserErased") {
        c.query("DELETE FROM users WHERE user_id = $1", {userId});
        c.query("DELETE FROM password_resets WHERE user_id = $1", {userId});
    }
}

void applySession(pg::Connection& c, const eventstore::RecordedEvent& e, const nlohmann::json& d) {
    const std::string sessionId = idOf(e.streamId);
    const std::string version = std::to_string(e.version);
    if (e.type == "SessionStarted") {
        c.query("INSERT INTO sessions (session_id, version, user_id, status, created_at, last_used_at, expires_at) "
                "VALUES ($1, $2, $3, 'ACTIVE', $4, $4, to_timestamp($5::double precision / 1e6)) "
                "ON CONFLICT (session_id) DO NOTHING",
                {sessionId, version, str(d, "userId"), at(d, e), std::to_string(d.value("expiresAt", std::int64_t{0}))});
        c.query("INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                {str(d, "tokenHash"), sessionId});
    } else if (e.type == "SessionRefreshed") {
        c.query("UPDATE sessions SET version = $2, last_used_at = $3, expires_at = to_timestamp($4::double precision / 1e6) "
                "WHERE session_id = $1 AND version < $2",
                {sessionId, version, at(d, e), std::to_string(d.value("expiresAt", std::int64_t{0}))});
        // Rotated tokens stay: presenting one again must still find its session (reuse detection).
        c.query("INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                {str(d, "tokenHash"), sessionId});
    } else if (e.type == "SessionRevoked") {
        c.query("UPDATE sessions SET version = $2, status = 'REVOKED', revoked_reason = $3, last_used_at = $4 "
                "WHERE session_id = $1 AND version < $2",
                {sessionId, version, str(d, "reason"), at(d, e)});
    }
}

}  // namespace

std::string Identity::ddl() const {
    return R"sql(
CREATE TABLE users (
    user_id        uuid PRIMARY KEY,
    version        bigint NOT NULL,
    email          text NOT NULL,
    email_norm     text NOT NULL,
    first_name     text,
    last_name      text,
    bio            text NOT NULL DEFAULT '',
    role           text NOT NULL,
    status         text NOT NULL,
    password_hash  text NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX users_email_norm ON users (email_norm);
CREATE INDEX users_created ON users (created_at DESC, user_id);
CREATE TABLE sessions (
    session_id      uuid PRIMARY KEY,
    version         bigint NOT NULL,
    user_id         uuid NOT NULL,
    status          text NOT NULL,
    revoked_reason  text,
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL
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
    const bool user = e.streamId.rfind("user-", 0) == 0;
    const bool session = e.streamId.rfind("session-", 0) == 0;
    if (!user && !session) return;
    const auto d = nlohmann::json::parse(e.data, nullptr, false);
    if (!d.is_object()) return;
    if (user) applyUser(c, e, d);
    else applySession(c, e, d);
}

}  // namespace lms::projections
