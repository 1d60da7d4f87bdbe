#pragma once
// The identity context's events: one struct per event with its stable type name and schema
// version, and the one JSON codec for each stream category (UserEvents, SessionEvents).
// Fields named in kPersonalFields are sealed with the person's key when stored (crypto-shredding):
// once the key is shredded they read as empty. docs/events.md is the catalogue.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "domain/core/codec.hpp"
#include "domain/identity/ids.hpp"

namespace lms::domain::identity {

enum class Role { Student, Instructor, Admin };
enum class Status { Active, Banned, Deleted };
const char* toString(Role r);
std::optional<Role> roleFrom(std::string_view s);
const char* toString(Status s);

// The string fields of user events sealed with the person's key when stored: personal data
// (email, names, bio, and a ban's reason, free text an admin may fill with anything), and the
// secrets no consumer of the event topics may hold (the password hash, a reset token's hash).
// Erasure shreds the key, so every one of them is gone with the person.
inline constexpr std::string_view kPersonalFields[] = {"email",        "firstName", "lastName", "bio",
                                                       "passwordHash", "tokenHash", "reason"};
// The string fields of session events sealed with the session's own key (subject session-<id>):
// the refresh tokens' hashes. Erasure shreds the keys of the person's sessions too.
inline constexpr std::string_view kSessionSecretFields[] = {"tokenHash", "previousTokenHash"};

struct UserRegistered {
    static constexpr std::string_view kType = "UserRegistered";
    static constexpr int kSchemaVersion = 1;
    UserId userId;
    std::string email;                // normalised; personal
    std::string firstName, lastName;  // personal
    Role role = Role::Student;
    std::string passwordHash;  // PHC string
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static UserRegistered fromJson(const nlohmann::json& d);
};
struct UserProfileUpdated {
    static constexpr std::string_view kType = "UserProfileUpdated";
    static constexpr int kSchemaVersion = 1;
    std::optional<std::string> firstName, lastName, bio;  // only what changed; personal
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static UserProfileUpdated fromJson(const nlohmann::json& d);
};
struct UserPasswordChanged {
    static constexpr std::string_view kType = "UserPasswordChanged";
    static constexpr int kSchemaVersion = 1;
    std::string passwordHash;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static UserPasswordChanged fromJson(const nlohmann::json& d);
};
struct UserPasswordResetRequested {
    static constexpr std::string_view kType = "UserPasswordResetRequested";
    static constexpr int kSchemaVersion = 1;
    UserId userId;
    ResetId resetId;
    std::string tokenHash;  // hex sha256 of the mailed token
    std::int64_t expiresAt = 0;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static UserPasswordResetRequested fromJson(const nlohmann::json& d);
};
struct UserPasswordReset {
    static constexpr std::string_view kType = "UserPasswordReset";
    static constexpr int kSchemaVersion = 1;
    ResetId resetId;
    std::string passwordHash;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static UserPasswordReset fromJson(const nlohmann::json& d);
};
struct UserBanned {
    static constexpr std::string_view kType = "UserBanned";
    static constexpr int kSchemaVersion = 1;
    std::string reason;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static UserBanned fromJson(const nlohmann::json& d);
};
struct UserActivated {
    static constexpr std::string_view kType = "UserActivated";
    static constexpr int kSchemaVersion = 1;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static UserActivated fromJson(const nlohmann::json& d);
};
struct UserErased {
    static constexpr std::string_view kType = "UserErased";
    static constexpr int kSchemaVersion = 1;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static UserErased fromJson(const nlohmann::json& d);
};
using UserEvents = EventCodec<UserRegistered, UserProfileUpdated, UserPasswordChanged, UserPasswordResetRequested,
                              UserPasswordReset, UserBanned, UserActivated, UserErased>;

struct SessionStarted {
    static constexpr std::string_view kType = "SessionStarted";
    static constexpr int kSchemaVersion = 1;
    SessionId sessionId;
    UserId userId;
    std::string tokenHash;  // hex sha256 of the first refresh token; sealed
    std::int64_t expiresAt = 0;
    std::int64_t at = 0;
    // The user's credential version the password was checked against (0 before any change):
    // a session whose version is not the user's current one is not honoured.
    std::int64_t credentialVersion = 0;
    nlohmann::json toJson() const;
    static SessionStarted fromJson(const nlohmann::json& d);
};
struct SessionRefreshed {
    static constexpr std::string_view kType = "SessionRefreshed";
    static constexpr int kSchemaVersion = 1;
    std::string previousTokenHash;  // sealed
    std::string tokenHash;          // sealed
    std::int64_t expiresAt = 0;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static SessionRefreshed fromJson(const nlohmann::json& d);
};
// The token rotated away moments ago was presented again, within the grace period (two tabs, a
// client retrying a lost answer): the caller was handed the same successor, and the session goes on.
struct SessionRefreshRepeated {
    static constexpr std::string_view kType = "SessionRefreshRepeated";
    static constexpr int kSchemaVersion = 1;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static SessionRefreshRepeated fromJson(const nlohmann::json& d);
};
// The session that changed the password carries on under the new credential version.
struct SessionCredentialsRenewed {
    static constexpr std::string_view kType = "SessionCredentialsRenewed";
    static constexpr int kSchemaVersion = 1;
    std::int64_t credentialVersion = 0;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static SessionCredentialsRenewed fromJson(const nlohmann::json& d);
};
struct SessionRevoked {
    static constexpr std::string_view kType = "SessionRevoked";
    static constexpr int kSchemaVersion = 1;
    // logout, password_changed, password_reset, user_banned, user_erased, refresh_token_reuse,
    // credentials_changed (refreshed under an older credential version)
    std::string reason;
    std::int64_t at = 0;
    nlohmann::json toJson() const;
    static SessionRevoked fromJson(const nlohmann::json& d);
};
using SessionEvents =
    EventCodec<SessionStarted, SessionRefreshed, SessionRefreshRepeated, SessionCredentialsRenewed, SessionRevoked>;

}  // namespace lms::domain::identity
