#include "domain/identity/user.hpp"

#include <algorithm>

#include "domain/identity/common_passwords.hpp"

namespace lms::domain::identity {
namespace {

using Kind = DomainError::Kind;

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// Characters, not bytes: UTF-8 continuation bytes are not counted.
std::size_t characters(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool hasControl(const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7F;
    });
}

bool plausibleEmail(const std::string& e) {
    const auto at = e.find('@');
    if (at == std::string::npos || at == 0 || at > 64 || e.find('@', at + 1) != std::string::npos) return false;
    const auto domain = e.substr(at + 1);
    const auto dot = domain.rfind('.');
    return e.size() <= 254 && dot != std::string::npos && dot > 0 && dot + 1 < domain.size() &&
           e.find_first_of(" \t\r\n,;<>()[]\\\"") == std::string::npos;
}

void checkName(const std::string& field, const std::string& value, std::vector<FieldError>& errors) {
    const auto n = characters(value);
    if (n == 0) errors.push_back({field, "must not be empty"});
    else if (n > 100) errors.push_back({field, "must be at most 100 characters"});
    else if (hasControl(value)) errors.push_back({field, "must not contain control characters"});
}

DomainError validation(std::vector<FieldError> errors) {
    DomainError e{Kind::Validation, "validation_failed", "the request has invalid fields", errors.front().field, {}};
    e.errors = std::move(errors);
    return e;
}

// A string field of an event, or empty when absent or null (an erased person's sealed fields
// open to null).
std::string text(const nlohmann::json& d, const char* key) {
    const auto it = d.find(key);
    return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
}

DomainError notFound() { return {Kind::NotFound, "user_not_found", "no such user", "", {}}; }

std::vector<DomainEvent> one(std::string type, nlohmann::json data) {
    return {DomainEvent{std::move(type), 1, std::move(data)}};
}

}  // namespace

const char* toString(Role r) {
    switch (r) {
        case Role::Instructor: return "INSTRUCTOR";
        case Role::Admin: return "ADMIN";
        default: return "STUDENT";
    }
}

std::optional<Role> roleFrom(const std::string& s) {
    if (s == "STUDENT") return Role::Student;
    if (s == "INSTRUCTOR") return Role::Instructor;
    if (s == "ADMIN") return Role::Admin;
    return std::nullopt;
}

const char* toString(Status s) {
    switch (s) {
        case Status::Banned: return "BANNED";
        case Status::Deleted: return "DELETED";
        default: return "ACTIVE";
    }
}

std::string normalizeEmail(const std::string& email) {
    std::string e = trim(email);
    std::transform(e.begin(), e.end(), e.begin(), [](char c) { return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c; });
    return e;
}

std::optional<DomainError> checkPasswordPolicy(const std::string& password) {
    const auto n = characters(password);
    std::string problem;
    if (n < 8) problem = "must be at least 8 characters";
    else if (n > 128) problem = "must be at most 128 characters";
    else if (isCommonPassword(password)) problem = "is too common; choose another";
    if (problem.empty()) return std::nullopt;
    return validation({{"password", problem}});
}

User::State User::evolve(const State& s, const DomainEvent& e) {
    State n = s;
    const auto& d = e.data;
    if (e.type == "UserRegistered") {
        n.exists = true;
        n.userId = text(d, "userId");
        n.email = text(d, "email");
        n.firstName = text(d, "firstName");
        n.lastName = text(d, "lastName");
        n.passwordHash = text(d, "passwordHash");
        n.role = roleFrom(text(d, "role")).value_or(Role::Student);
        n.status = Status::Active;
    } else if (e.type == "UserProfileUpdated") {
        if (d.contains("firstName")) n.firstName = text(d, "firstName");
        if (d.contains("lastName")) n.lastName = text(d, "lastName");
        if (d.contains("bio")) n.bio = text(d, "bio");
    } else if (e.type == "UserPasswordChanged") {
        n.passwordHash = text(d, "passwordHash");
    } else if (e.type == "UserPasswordResetRequested") {
        n.resets.push_back({text(d, "tokenHash"), {text(d, "resetId"), d.value("expiresAt", std::int64_t{0})}});
    } else if (e.type == "UserPasswordReset") {
        n.passwordHash = text(d, "passwordHash");
        n.resets.clear();  // a reset spends every outstanding token
    } else if (e.type == "UserBanned") {
        n.status = Status::Banned;
    } else if (e.type == "UserActivated") {
        n.status = Status::Active;
    } else if (e.type == "UserErased") {
        n.status = Status::Deleted;
        n.email.clear();
        n.firstName.clear();
        n.lastName.clear();
        n.bio.clear();
        n.passwordHash.clear();
        n.resets.clear();
    }
    return n;
}

Decision User::decide(const State& s, const Command& command) {
    if (const auto* c = std::get_if<Register>(&command)) {
        if (s.exists) return unexpected(DomainError{Kind::Conflict, "user_exists", "the user already exists", "", {}});
        std::vector<FieldError> errors;
        const std::string email = normalizeEmail(c->email);
        if (!plausibleEmail(email)) errors.push_back({"email", "is not a valid email address"});
        const std::string first = trim(c->firstName), last = trim(c->lastName);
        checkName("firstName", first, errors);
        checkName("lastName", last, errors);
        const auto role = roleFrom(c->role);
        if (!role) errors.push_back({"role", "must be STUDENT or INSTRUCTOR"});
        else if (*role == Role::Admin && !c->byAdmin) errors.push_back({"role", "ADMIN cannot self-register"});
        if (c->passwordHash.empty()) errors.push_back({"password", "is required"});
        if (!errors.empty()) return unexpected(validation(std::move(errors)));
        return one("UserRegistered", {{"userId", c->userId},
                                      {"email", email},
                                      {"firstName", first},
                                      {"lastName", last},
                                      {"role", toString(*role)},
                                      {"passwordHash", c->passwordHash},
                                      {"at", c->at}});
    }
    if (!s.exists || s.status == Status::Deleted) return unexpected(notFound());
    if (const auto* c = std::get_if<UpdateProfile>(&command)) {
        std::vector<FieldError> errors;
        nlohmann::json changes = nlohmann::json::object();
        if (c->firstName) {
            const auto v = trim(*c->firstName);
            checkName("firstName", v, errors);
            if (v != s.firstName) changes["firstName"] = v;
        }
        if (c->lastName) {
            const auto v = trim(*c->lastName);
            checkName("lastName", v, errors);
            if (v != s.lastName) changes["lastName"] = v;
        }
        if (c->bio) {
            if (characters(*c->bio) > 2000) errors.push_back({"bio", "must be at most 2000 characters"});
            if (*c->bio != s.bio) changes["bio"] = *c->bio;
        }
        if (!errors.empty()) return unexpected(validation(std::move(errors)));
        if (changes.empty()) return std::vector<DomainEvent>{};
        changes["at"] = c->at;
        return one("UserProfileUpdated", std::move(changes));
    }
    if (const auto* c = std::get_if<ChangePassword>(&command)) {
        if (s.status != Status::Active) {
            return unexpected(DomainError{Kind::Forbidden, "user_banned", "the account is banned", "", {}});
        }
        return one("UserPasswordChanged", {{"passwordHash", c->passwordHash}, {"at", c->at}});
    }
    if (const auto* c = std::get_if<Ban>(&command)) {
        if (characters(c->reason) > 500) return unexpected(validation({{"reason", "must be at most 500 characters"}}));
        if (s.status == Status::Banned) return std::vector<DomainEvent>{};
        return one("UserBanned", {{"reason", c->reason}, {"at", c->at}});
    }
    if (const auto* c = std::get_if<Activate>(&command)) {
        if (s.status == Status::Active) return std::vector<DomainEvent>{};
        return one("UserActivated", {{"at", c->at}});
    }
    if (const auto* c = std::get_if<RequestPasswordReset>(&command)) {
        if (s.status != Status::Active) {
            return unexpected(DomainError{Kind::Forbidden, "user_banned", "the account is banned", "", {}});
        }
        return one("UserPasswordResetRequested", {{"userId", s.userId},
                                                  {"resetId", c->resetId},
                                                  {"tokenHash", c->tokenHash},
                                                  {"expiresAt", c->expiresAt},
                                                  {"at", c->at}});
    }
    if (const auto* c = std::get_if<ResetPassword>(&command)) {
        const auto it = std::find_if(s.resets.begin(), s.resets.end(),
                                     [&](const auto& r) { return r.first == c->tokenHash; });
        if (it == s.resets.end() || it->second.expiresAt <= c->at) {
            return unexpected(DomainError{Kind::Validation, "invalid_reset_token",
                                          "the reset token is unknown, used or expired", "token",
                                          {{"token", "is unknown, used or expired"}}});
        }
        if (s.status != Status::Active) {
            return unexpected(DomainError{Kind::Forbidden, "user_banned", "the account is banned", "", {}});
        }
        return one("UserPasswordReset",
                   {{"resetId", it->second.resetId}, {"passwordHash", c->passwordHash}, {"at", c->at}});
    }
    const auto& c = std::get<Erase>(command);
    return one("UserErased", {{"at", c.at}});
}

}  // namespace lms::domain::identity
