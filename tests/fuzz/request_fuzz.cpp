// libFuzzer target: whatever arrives as a JSON request body goes through what the server does
// with it before any I/O (api/http/body.hpp, then the identity decider's validation, the email
// normalisation and the password policy) without a crash, a hang or undefined behaviour. And the
// parsing keeps its promises: a body accepted is an object, and every field refused is named.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/http/body.hpp"
#include "domain/identity/user.hpp"

namespace di = lms::domain::identity;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    auto parsed = lms::http::parseObject(body);
    if (!parsed) {
        if (parsed.error().empty()) __builtin_trap();
        return 0;
    }
    if (!parsed->is_object()) __builtin_trap();
    lms::http::Fields f(*parsed);
    di::Register reg;
    reg.userId = di::UserId("00000000-0000-7000-8000-000000000000");
    reg.email = f.required("email");
    const std::string password = f.required("password");
    reg.firstName = f.required("firstName");
    reg.lastName = f.required("lastName");
    reg.role = f.optional("role").value_or("STUDENT");
    const auto bio = f.optional("bio");
    f.onlyThese({"email", "password", "firstName", "lastName", "role", "bio"});
    for (const auto& e : f.errors) {
        if (e.field.empty() || e.message.empty()) __builtin_trap();
    }
    (void)di::normalizeEmail(reg.email);
    const auto policy = di::checkPasswordPolicy(password);
    reg.passwordHash = policy ? "" : "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
    const auto decided = di::User::decide(di::User::initial(), di::User::Command{reg});
    if (decided) {
        // An accepted registration names a plausible email and non-empty names.
        if (decided->size() != 1 || (*decided)[0].type != "UserRegistered") __builtin_trap();
        const auto state = di::User::evolve(di::User::initial(), (*decided)[0]);
        if (state.email.empty() || state.firstName.empty() || state.lastName.empty()) __builtin_trap();
        di::UpdateProfile update{reg.firstName, reg.lastName, bio, 1};
        (void)di::User::decide(state, di::User::Command{update});
    } else {
        for (const auto& e : decided.error().errors) {
            if (e.field.empty()) __builtin_trap();
        }
    }
    return 0;
}
