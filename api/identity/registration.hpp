#pragma once
// Registration: password policy, Argon2id, the user decider, personal fields sealed with the
// user's key, and the email reserved in the same transaction as the UserRegistered event.
#include <string>

#include "common/expected.hpp"
#include "common/password.hpp"
#include "domain/core/decider.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/pg.hpp"

namespace lms::api::identity {

struct RegisterInput {
    std::string email, password, firstName, lastName, role = "STUDENT";
    bool byAdmin = false;
};

struct Registered {
    std::string userId;
    std::string email;  // normalised
};

// Scope of the email reservation; its value is sha256(normalised email).
inline constexpr const char* kEmailScope = "email";
// Fields of identity events sealed with the user's key.
domain::DomainEvent sealPersonalFields(pg::Connection& c, const std::string& streamId, domain::DomainEvent e);
domain::DomainEvent openPersonalFields(pg::Connection& c, const std::string& streamId, domain::DomainEvent e);

// Applies identity events just written to the identity read model, in the caller's transaction
// (read-your-writes). A no-op while the read model does not exist yet.
void applyIdentityInline(pg::Connection& c, const std::vector<eventstore::RecordedEvent>& written);

expected<Registered, domain::DomainError> registerUser(pg::Connection& c, const RegisterInput& in,
                                                       const domain::Metadata& meta, std::int64_t nowUs,
                                                       const password::Cost& cost = {});

}  // namespace lms::api::identity
