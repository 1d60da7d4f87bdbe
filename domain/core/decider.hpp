#pragma once
// The pure decision interface every aggregate implements. The command loop in eventstore/ loads
// a stream, folds it with evolve, asks decide, and appends what decide returns with the stream's
// version as the expected version. No I/O, no clock: time and new ids arrive inside the command.
#include <concepts>
#include <string>
#include <vector>

#include "common/expected.hpp"
#include "domain/core/event.hpp"

namespace lms::domain {

// Why a command was refused. `code` is stable (the API maps it to a status); `field` names the
// input at fault when there is one.
struct FieldError {
    std::string field;
    std::string message;
};

struct DomainError {
    // What kind of refusal it is; api/http/problem.cpp maps each to one status, in one place.
    // Unauthenticated: the credential presented (a refresh token, a password) is not good.
    // Stale: the caller's precondition (the version it read, If-Match) no longer holds.
    // PaymentRequired: allowed once paid for (402; the caller says how to pay).
    enum class Kind { Validation, Conflict, NotFound, Forbidden, Unauthenticated, Stale, PaymentRequired };
    Kind kind = Kind::Validation;
    std::string code;
    std::string message;
    std::string field;
    std::vector<FieldError> errors;  // every field at fault, for a validation failure
};

using Decision = expected<std::vector<DomainEvent>, DomainError>;

// The refusal naming every field at fault (not empty): validation_failed, the first field as field.
inline DomainError invalid(std::vector<FieldError> errors) {
    DomainError e{
        DomainError::Kind::Validation, "validation_failed", "the request has invalid fields", errors.front().field, {}};
    e.errors = std::move(errors);
    return e;
}

template <class D>
concept Decider = requires(const typename D::State& s, const typename D::Command& c, const DomainEvent& e) {
    { D::initial() } -> std::convertible_to<typename D::State>;
    { D::evolve(s, e) } -> std::convertible_to<typename D::State>;
    { D::decide(s, c) } -> std::convertible_to<Decision>;
};

}  // namespace lms::domain
