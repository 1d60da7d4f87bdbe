#include "domain/identity/user.hpp"

#include <algorithm>

#include "domain/core/text.hpp"
#include "domain/identity/common_passwords.hpp"

namespace lms::domain::identity {
namespace {

using Kind = DomainError::Kind;

using text::trim;

// Characters, not bytes: UTF-8 continuation bytes are not counted.
using text::characters;

bool plausibleEmail(const std::string& e) {
    const auto at = e.find('@');
    if (at == std::string::npos || at == 0 || at > 64 || e.find('@', at + 1) != std::string::npos) return false;
    const auto domain = e.substr(at + 1);
    const auto dot = domain.rfind('.');
    // No NUL or other control: PostgreSQL's text cannot hold a NUL, and an address that differs
    // from another only by what nobody can see would let one person take another's address.
    return e.size() <= 254 && dot != std::string::npos && dot > 0 && dot + 1 < domain.size() &&
           e.find_first_of(" \t\r\n,;<>()[]\\\"") == std::string::npos && !text::forbidden(e);
}

void checkName(const std::string& field, const std::string& value, std::vector<FieldError>& errors) {
    if (auto p = text::problem(value, 1, 100)) errors.push_back({field, std::move(*p)});
}

DomainError validation(std::vector<FieldError> errors) { return invalid(std::move(errors)); }

DomainError notFound() { return {Kind::NotFound, "user_not_found", "no such user", "", {}}; }
DomainError banned() { return {Kind::Forbidden, "user_banned", "the account is banned", "", {}}; }

template <class E>
Decision one(const E& event) {
    return std::vector<DomainEvent>{UserEvents::encode(event)};
}
Decision nothing() { return std::vector<DomainEvent>{}; }

}  // namespace

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

std::vector<FieldError> registrationErrors(const Register& c) {
    std::vector<FieldError> errors;
    if (!plausibleEmail(normalizeEmail(c.email))) errors.push_back({"email", "is not a valid email address"});
    checkName("firstName", trim(c.firstName), errors);
    checkName("lastName", trim(c.lastName), errors);
    const auto role = roleFrom(c.role);
    if (!role) errors.push_back({"role", "must be STUDENT or INSTRUCTOR"});
    else if (*role == Role::Admin && !c.byAdmin) errors.push_back({"role", "ADMIN cannot self-register"});
    if (c.passwordHash.empty()) errors.push_back({"password", "is required"});
    return errors;
}

User::State User::evolve(State n, const UserEvents::Event& event) {
    std::visit(Overloaded{
                   [&](const UserRegistered& e) {
                       n.exists = true;
                       n.userId = e.userId;
                       n.email = e.email;
                       n.firstName = e.firstName;
                       n.lastName = e.lastName;
                       n.passwordHash = e.passwordHash;
                       n.role = e.role;
                       n.status = Status::Active;
                   },
                   [&](const UserProfileUpdated& e) {
                       if (e.firstName) n.firstName = *e.firstName;
                       if (e.lastName) n.lastName = *e.lastName;
                       if (e.bio) n.bio = *e.bio;
                   },
                   [&](const UserPasswordChanged& e) {
                       n.passwordHash = e.passwordHash;
                       ++n.credentialVersion;
                       n.resets.clear();  // a reset link mailed before the change is void
                   },
                   [&](const UserPasswordResetRequested& e) {
                       n.resets.push_back({e.tokenHash, {e.resetId, e.expiresAt}});
                   },
                   [&](const UserPasswordReset& e) {
                       n.passwordHash = e.passwordHash;
                       ++n.credentialVersion;
                       n.resets.clear();  // a reset spends every outstanding token
                   },
                   [&](const UserBanned&) { n.status = Status::Banned; },
                   [&](const UserActivated&) { n.status = Status::Active; },
                   [&](const UserErased&) {
                       n.status = Status::Deleted;
                       n.email.clear();
                       n.firstName.clear();
                       n.lastName.clear();
                       n.bio.clear();
                       n.passwordHash.clear();
                       n.resets.clear();
                   },
               },
               event);
    return n;
}

Decision User::decide(const State& s, const Command& command) {
    const bool gone = !s.exists || s.status == Status::Deleted;
    return std::visit(
        Overloaded{
            [&](const Register& c) -> Decision {
                if (s.exists)
                    return unexpected(DomainError{Kind::Conflict, "user_exists", "the user already exists", "", {}});
                auto errors = registrationErrors(c);
                if (!errors.empty()) return unexpected(validation(std::move(errors)));
                return one(UserRegistered{c.userId, normalizeEmail(c.email), trim(c.firstName), trim(c.lastName),
                                          *roleFrom(c.role), c.passwordHash, c.at});
            },
            [&](const UpdateProfile& c) -> Decision {
                if (gone) return unexpected(notFound());
                std::vector<FieldError> errors;
                UserProfileUpdated changes;
                changes.at = c.at;
                if (c.firstName) {
                    const auto v = trim(*c.firstName);
                    checkName("firstName", v, errors);
                    if (v != s.firstName) changes.firstName = v;
                }
                if (c.lastName) {
                    const auto v = trim(*c.lastName);
                    checkName("lastName", v, errors);
                    if (v != s.lastName) changes.lastName = v;
                }
                if (c.bio) {
                    if (auto p = text::problem(*c.bio, 0, 2000, text::Lines::Multiple))
                        errors.push_back({"bio", std::move(*p)});
                    if (*c.bio != s.bio) changes.bio = *c.bio;
                }
                if (!errors.empty()) return unexpected(validation(std::move(errors)));
                if (!changes.firstName && !changes.lastName && !changes.bio) return nothing();
                return one(changes);
            },
            [&](const ChangePassword& c) -> Decision {
                if (gone) return unexpected(notFound());
                if (s.status != Status::Active) return unexpected(banned());
                return one(UserPasswordChanged{c.passwordHash, c.at});
            },
            [&](const Ban& c) -> Decision {
                if (gone) return unexpected(notFound());
                if (auto p = text::problem(c.reason, 0, 500, text::Lines::Multiple))
                    return unexpected(validation({{"reason", std::move(*p)}}));
                if (s.status == Status::Banned) return nothing();
                return one(UserBanned{c.reason, c.at});
            },
            [&](const Activate& c) -> Decision {
                if (gone) return unexpected(notFound());
                if (s.status == Status::Active) return nothing();
                return one(UserActivated{c.at});
            },
            [&](const RequestPasswordReset& c) -> Decision {
                if (gone) return unexpected(notFound());
                if (s.status != Status::Active) return unexpected(banned());
                return one(UserPasswordResetRequested{s.userId, c.resetId, c.tokenHash, c.expiresAt, c.at});
            },
            [&](const ResetPassword& c) -> Decision {
                if (gone) return unexpected(notFound());
                const auto it = std::find_if(s.resets.begin(), s.resets.end(),
                                             [&](const auto& r) { return r.first == c.tokenHash; });
                if (it == s.resets.end() || it->second.expiresAt <= c.at) {
                    return unexpected(DomainError{Kind::Validation,
                                                  "invalid_reset_token",
                                                  "the reset token is unknown, used or expired",
                                                  "token",
                                                  {{"token", "is unknown, used or expired"}}});
                }
                if (s.status != Status::Active) return unexpected(banned());
                return one(UserPasswordReset{it->second.resetId, c.passwordHash, c.at});
            },
            [&](const Erase& c) -> Decision {
                if (gone) return unexpected(notFound());
                return one(UserErased{c.at});
            },
        },
        command);
}

}  // namespace lms::domain::identity
