#pragma once
// The user aggregate (stream user-<id>): registration, profile, password, bans and erasure.
// Pure: password hashes arrive already computed (hashing is slow and salted with randomness),
// times and ids arrive inside the commands.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/core/decider.hpp"
#include "domain/identity/events.hpp"

namespace lms::domain::identity {

// Lower-cased and trimmed: the form under which an email is unique.
std::string normalizeEmail(const std::string& email);
// NIST SP 800-63B: 8 to 128 characters, no composition rules, not a commonly used password.
// Returns the problem, or nothing when the password is acceptable.
std::optional<DomainError> checkPasswordPolicy(const std::string& password);

struct Register {
    UserId userId;
    std::string email;
    std::string passwordHash;  // PHC string
    std::string firstName;
    std::string lastName;
    std::string role = "STUDENT";
    bool byAdmin = false;  // only `lms admin create` may make an ADMIN
    std::int64_t at = 0;   // microseconds since the epoch
};
// Every field of a registration at fault (the decider refuses a Register with any of them).
// The password is judged by its hash's presence here; checkPasswordPolicy judges the password.
std::vector<FieldError> registrationErrors(const Register& c);

struct UpdateProfile {
    std::optional<std::string> firstName, lastName, bio;
    std::int64_t at = 0;
};
struct ChangePassword {
    std::string passwordHash;
    std::int64_t at = 0;
};
struct Ban {
    std::string reason;
    std::int64_t at = 0;
};
struct Activate {
    std::int64_t at = 0;
};
struct Erase {
    std::int64_t at = 0;
};
// A password-reset token was made for the user: only its sha256 is known here (the token itself
// is derived from the server's secret and mailed); it is good once, until expiresAt.
struct RequestPasswordReset {
    ResetId resetId;
    std::string tokenHash;  // hex sha256 of the token
    std::int64_t expiresAt = 0;
    std::int64_t at = 0;
};
struct ResetPassword {
    std::string tokenHash;
    std::string passwordHash;
    std::int64_t at = 0;
};

struct User : EventSourced<User, UserEvents> {
    using EventSourced::evolve;
    using Command =
        std::variant<Register, UpdateProfile, ChangePassword, Ban, Activate, Erase, RequestPasswordReset, ResetPassword>;
    struct PendingReset {
        ResetId resetId;
        std::int64_t expiresAt = 0;
    };
    struct State {
        bool exists = false;
        UserId userId;
        std::string email, firstName, lastName, bio, passwordHash;
        Role role = Role::Student;
        Status status = Status::Active;
        std::vector<std::pair<std::string, PendingReset>> resets;  // unused reset tokens by hash
        // How many times the password was changed or reset: sessions begun under another
        // version are not honoured (session.hpp).
        std::int64_t credentialVersion = 0;
    };
    static State initial() { return {}; }
    static State evolve(State s, const UserEvents::Event& e);
    static Decision decide(const State& s, const Command& c);
};
static_assert(Decider<User>);

}  // namespace lms::domain::identity
