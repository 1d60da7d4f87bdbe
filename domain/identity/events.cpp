#include "domain/identity/events.hpp"

namespace lms::domain::identity {

using fields::integer;
using fields::optionalText;
using fields::text;
using nlohmann::json;

const char* toString(Role r) {
    switch (r) {
        case Role::Instructor: return "INSTRUCTOR";
        case Role::Admin: return "ADMIN";
        case Role::Student: break;
    }
    return "STUDENT";
}

std::optional<Role> roleFrom(std::string_view s) {
    if (s == "STUDENT") return Role::Student;
    if (s == "INSTRUCTOR") return Role::Instructor;
    if (s == "ADMIN") return Role::Admin;
    return std::nullopt;
}

const char* toString(Status s) {
    switch (s) {
        case Status::Banned: return "BANNED";
        case Status::Deleted: return "DELETED";
        case Status::Active: break;
    }
    return "ACTIVE";
}

json UserRegistered::toJson() const {
    return {{"userId", userId.value()},
            {"email", email},
            {"firstName", firstName},
            {"lastName", lastName},
            {"role", toString(role)},
            {"passwordHash", passwordHash},
            {"at", at}};
}
UserRegistered UserRegistered::fromJson(const json& d) {
    return {UserId(text(d, "userId")),
            text(d, "email"),
            text(d, "firstName"),
            text(d, "lastName"),
            roleFrom(text(d, "role")).value_or(Role::Student),
            text(d, "passwordHash"),
            integer(d, "at")};
}

json UserProfileUpdated::toJson() const {
    json j = json::object();
    if (firstName) j["firstName"] = *firstName;
    if (lastName) j["lastName"] = *lastName;
    if (bio) j["bio"] = *bio;
    j["at"] = at;
    return j;
}
UserProfileUpdated UserProfileUpdated::fromJson(const json& d) {
    return {optionalText(d, "firstName"), optionalText(d, "lastName"), optionalText(d, "bio"), integer(d, "at")};
}

json UserPasswordChanged::toJson() const { return {{"passwordHash", passwordHash}, {"at", at}}; }
UserPasswordChanged UserPasswordChanged::fromJson(const json& d) { return {text(d, "passwordHash"), integer(d, "at")}; }

json UserPasswordResetRequested::toJson() const {
    return {{"userId", userId.value()},
            {"resetId", resetId.value()},
            {"tokenHash", tokenHash},
            {"expiresAt", expiresAt},
            {"at", at}};
}
UserPasswordResetRequested UserPasswordResetRequested::fromJson(const json& d) {
    return {UserId(text(d, "userId")), ResetId(text(d, "resetId")), text(d, "tokenHash"), integer(d, "expiresAt"),
            integer(d, "at")};
}

json UserPasswordReset::toJson() const {
    return {{"resetId", resetId.value()}, {"passwordHash", passwordHash}, {"at", at}};
}
UserPasswordReset UserPasswordReset::fromJson(const json& d) {
    return {ResetId(text(d, "resetId")), text(d, "passwordHash"), integer(d, "at")};
}

json UserBanned::toJson() const { return {{"reason", reason}, {"at", at}}; }
UserBanned UserBanned::fromJson(const json& d) { return {text(d, "reason"), integer(d, "at")}; }

json UserActivated::toJson() const { return {{"at", at}}; }
UserActivated UserActivated::fromJson(const json& d) { return {integer(d, "at")}; }

json UserErased::toJson() const { return {{"at", at}}; }
UserErased UserErased::fromJson(const json& d) { return {integer(d, "at")}; }

json SessionStarted::toJson() const {
    return {{"sessionId", sessionId.value()},
            {"userId", userId.value()},
            {"tokenHash", tokenHash},
            {"expiresAt", expiresAt},
            {"at", at},
            {"credentialVersion", credentialVersion}};
}
SessionStarted SessionStarted::fromJson(const json& d) {
    // credentialVersion is absent in events written before it existed: 0.
    return {SessionId(text(d, "sessionId")), UserId(text(d, "userId")), text(d, "tokenHash"),
            integer(d, "expiresAt"),         integer(d, "at"),          integer(d, "credentialVersion")};
}

json SessionRefreshed::toJson() const {
    return {{"previousTokenHash", previousTokenHash}, {"tokenHash", tokenHash}, {"expiresAt", expiresAt}, {"at", at}};
}
SessionRefreshed SessionRefreshed::fromJson(const json& d) {
    return {text(d, "previousTokenHash"), text(d, "tokenHash"), integer(d, "expiresAt"), integer(d, "at")};
}

json SessionRefreshRepeated::toJson() const { return {{"at", at}}; }
SessionRefreshRepeated SessionRefreshRepeated::fromJson(const json& d) { return {integer(d, "at")}; }

json SessionCredentialsRenewed::toJson() const { return {{"credentialVersion", credentialVersion}, {"at", at}}; }
SessionCredentialsRenewed SessionCredentialsRenewed::fromJson(const json& d) {
    return {integer(d, "credentialVersion"), integer(d, "at")};
}

json SessionRevoked::toJson() const { return {{"reason", reason}, {"at", at}}; }
SessionRevoked SessionRevoked::fromJson(const json& d) { return {text(d, "reason"), integer(d, "at")}; }

}  // namespace lms::domain::identity
