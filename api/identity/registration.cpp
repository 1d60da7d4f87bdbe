#include "api/identity/registration.hpp"

#include "common/ids.hpp"
#include "common/sha256.hpp"
#include "domain/identity/user.hpp"
#include "eventstore/command_loop.hpp"
#include "eventstore/personal_data.hpp"
#include "projections/identity.hpp"
#include "projections/runner.hpp"

namespace lms::api::identity {
namespace {

constexpr const char* kPersonalFields[] = {"email", "firstName", "lastName", "bio"};

}  // namespace

void applyIdentityInline(pg::Connection& c, const std::vector<eventstore::RecordedEvent>& written) {
    projections::Identity identity;
    // The read model may not exist yet (a database only migrated, `lms admin create` before the
    // first `lms serve`): the runner builds it from the events later.
    if (!c.query("SELECT to_regclass('lms_rm.users') IS NOT NULL").boolean(0, 0)) return;
    projections::applyInline(c, identity, written);
}

domain::DomainEvent sealPersonalFields(pg::Connection& c, const std::string& streamId, domain::DomainEvent e) {
    eventstore::PersonalData pd(c);
    for (const char* f : kPersonalFields) {
        if (e.data.contains(f) && e.data[f].is_string()) e.data[f] = pd.seal(streamId, e.data[f].get<std::string>());
    }
    return e;
}

domain::DomainEvent openPersonalFields(pg::Connection& c, const std::string& streamId, domain::DomainEvent e) {
    eventstore::PersonalData pd(c);
    for (const char* f : kPersonalFields) {
        if (!e.data.contains(f) || !e.data[f].is_string()) continue;
        const std::string v = e.data[f];
        if (!eventstore::PersonalData::isSealed(v)) continue;
        const auto plain = pd.open(streamId, v);
        e.data[f] = plain ? nlohmann::json(*plain) : nlohmann::json(nullptr);  // erased: nothing left to read
    }
    return e;
}

expected<Registered, domain::DomainError> registerUser(pg::Connection& c, const RegisterInput& in,
                                                       const domain::Metadata& meta, std::int64_t nowUs,
                                                       const password::Cost& cost) {
    if (auto refused = domain::identity::checkPasswordPolicy(in.password)) return unexpected(*refused);
    const std::string userId = newUuid();
    const std::string stream = "user-" + userId;
    const std::string email = domain::identity::normalizeEmail(in.email);
    domain::identity::Register cmd{userId,       in.email, password::hash(in.password, cost), in.firstName,
                                   in.lastName, in.role,  in.byAdmin,                         nowUs};
    eventstore::CommandOptions opts;
    opts.encode = [&c](const std::string& s, domain::DomainEvent e) { return sealPersonalFields(c, s, std::move(e)); };
    opts.decode = [&c](const std::string& s, domain::DomainEvent e) { return openPersonalFields(c, s, std::move(e)); };
    opts.withinTransaction = [&](pg::Connection& conn, const std::vector<eventstore::RecordedEvent>& written)
        -> std::optional<domain::DomainError> {
        const auto r = conn.query(
            "INSERT INTO lms_reservations (scope, value_hash, owner) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            {kEmailScope, toHex(sha256(email)), stream});
        if (r.affected() != "1") {
            return domain::DomainError{domain::DomainError::Kind::Conflict, "email_taken",
                                       "an account with this email exists", "email",
                                       {{"email", "is already registered"}}};
        }
        applyIdentityInline(conn, written);
        return std::nullopt;
    };
    auto result = eventstore::handleCommand<domain::identity::User>(c, stream, domain::identity::User::Command{cmd},
                                                                    meta, opts);
    if (!result) return unexpected(result.error());
    return Registered{userId, email};
}

}  // namespace lms::api::identity
