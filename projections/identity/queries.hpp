#pragma once
// Reads of the identity read model (projection.hpp writes it). Every SELECT on these tables
// lives here; an erased user's tombstone is never returned.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/paging.hpp"
#include "domain/identity/ids.hpp"
#include "eventstore/pg.hpp"

namespace lms::projections::identity {

using domain::identity::SessionId;
using domain::identity::UserId;

// A user as the API shows it. Names are absent only in rows made before a key was shredded.
struct UserRow {
    UserId id;
    std::string email;
    std::optional<std::string> firstName, lastName;
    std::string bio;
    std::string role;       // STUDENT, INSTRUCTOR, ADMIN
    std::string status;     // ACTIVE, BANNED
    std::string createdAt;  // RFC 3339, UTC, microseconds
};

std::optional<UserRow> findUser(pg::Connection& c, const UserId& id);

struct UserWithPassword {
    UserRow user;
    std::string passwordHash;
    std::int64_t credentialVersion = 0;  // how many times the password was changed or reset
};
// By the normalised email (domain::identity::normalizeEmail).
std::optional<UserWithPassword> findUserByEmail(pg::Connection& c, const std::string& emailNorm);
std::optional<UserWithPassword> findUserWithPassword(pg::Connection& c, const UserId& id);

// The user's credential version and status, the row locked (FOR SHARE) until the caller's
// transaction ends: a password change or reset, whose inline projection updates the row, commits
// either before (and is seen) or after (and sees what this transaction wrote). Not an erased user.
struct Credentials {
    std::int64_t version = 0;
    std::string status;
};
std::optional<Credentials> lockCredentials(pg::Connection& c, const UserId& id);

// The user a password-reset token (its hex sha256) was made for, while it is outstanding.
std::optional<UserId> userOfResetToken(pg::Connection& c, const std::string& tokenHash);

// The session a refresh token (its hex sha256, current or rotated) belongs to.
std::optional<SessionId> sessionOfRefreshToken(pg::Connection& c, const std::string& tokenHash);

struct SessionWithUser {
    std::string status;  // ACTIVE or REVOKED
    UserId userId;
    std::optional<UserRow> user;             // absent when the user was erased
    std::int64_t credentialVersion = 0;      // the session's
    std::int64_t userCredentialVersion = 0;  // the user's now
    // Active, its user there, and begun (or renewed) under the user's current credentials.
    bool honoured() const { return status == "ACTIVE" && user && credentialVersion == userCredentialVersion; }
};
std::optional<SessionWithUser> findSession(pg::Connection& c, const SessionId& id);

std::vector<SessionId> activeSessionsOf(pg::Connection& c, const UserId& id);
// Every session the user ever had, revoked ones included.
std::vector<SessionId> sessionsOf(pg::Connection& c, const UserId& id);

// Email reservations of scope made as a bare sha256, with the address of their owner as the read
// model has it (for re-keying them); owners the read model does not know are left out.
struct LegacyReservation {
    std::string valueHash, owner, emailNorm;
};
std::vector<LegacyReservation> legacyEmailReservations(pg::Connection& c, const std::string& scope, int limit);

struct UserFilter {
    std::optional<std::string> role, status;
    std::optional<std::string> search;  // a substring of the email, a name, or "first last"
};
// Newest first.
Page<UserRow> listUsers(pg::Connection& c, const UserFilter& filter, const PageRequest& page);

}  // namespace lms::projections::identity
