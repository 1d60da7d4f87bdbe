// The user aggregate, given events, when a command, then events or an error. No I/O.
#include <gtest/gtest.h>

#include <set>

#include "domain/identity/user.hpp"

namespace lms::domain::identity {
namespace {

User::State given(const std::vector<DomainEvent>& history) {
    auto s = User::initial();
    for (const auto& e : history) s = User::evolve(s, e);
    return s;
}

Register alice() {
    return Register{UserId("u1"), "  Alice@Example.COM ", "$argon2id$v=19$...", " Alice ", "Liddell", "STUDENT", false,
                    100};
}

DomainEvent registered() { return (*User::decide(User::initial(), alice()))[0]; }

TEST(User, RegistersWithANormalisedEmailAndTrimmedNames) {
    auto r = User::decide(User::initial(), alice());
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->size(), 1u);
    const auto& e = (*r)[0];
    EXPECT_EQ(e.type, "UserRegistered");
    EXPECT_EQ(e.data["email"], "alice@example.com");
    EXPECT_EQ(e.data["firstName"], "Alice");
    EXPECT_EQ(e.data["role"], "STUDENT");
    EXPECT_EQ(e.data["at"], 100);
    EXPECT_EQ(given({e}).email, "alice@example.com");
}

TEST(User, RefusesInvalidRegistrationsNamingEveryField) {
    Register bad{UserId("u1"), "not-an-email", "", "", std::string(101, 'x'), "TEACHER", false, 1};
    auto r = User::decide(User::initial(), bad);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, DomainError::Kind::Validation);
    std::set<std::string> fields;
    for (const auto& f : r.error().errors) fields.insert(f.field);
    EXPECT_EQ(fields, (std::set<std::string>{"email", "firstName", "lastName", "role", "password"}));
}

TEST(User, AdminCannotSelfRegisterButTheBootstrapCommandCan) {
    auto self = alice();
    self.role = "ADMIN";
    auto r = User::decide(User::initial(), self);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().errors.at(0).field, "role");
    self.byAdmin = true;
    EXPECT_TRUE(User::decide(User::initial(), self).has_value());
}

TEST(User, RegisteringTwiceIsAConflict) {
    auto r = User::decide(given({registered()}), alice());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, DomainError::Kind::Conflict);
}

TEST(User, ProfileUpdatesCarryOnlyWhatChanged) {
    const auto s = given({registered()});
    auto same = User::decide(s, UpdateProfile{std::string("Alice"), std::nullopt, std::nullopt, 5});
    ASSERT_TRUE(same.has_value());
    EXPECT_TRUE(same->empty());
    auto changed = User::decide(s, UpdateProfile{std::nullopt, std::string("Pleasance"), std::string("Curious."), 5});
    ASSERT_TRUE(changed.has_value());
    EXPECT_EQ((*changed)[0].data, (nlohmann::json{{"lastName", "Pleasance"}, {"bio", "Curious."}, {"at", 5}}));
    auto tooLong = User::decide(s, UpdateProfile{std::nullopt, std::nullopt, std::string(2001, 'b'), 5});
    ASSERT_FALSE(tooLong.has_value());
    EXPECT_EQ(tooLong.error().field, "bio");
}

TEST(User, BanAndActivateAreIdempotentAndABannedUserCannotChangeItsPassword) {
    auto s = given({registered()});
    auto ban = User::decide(s, Ban{"spam", 7});
    ASSERT_TRUE(ban.has_value());
    EXPECT_EQ((*ban)[0].type, "UserBanned");
    s = given({registered(), (*ban)[0]});
    EXPECT_EQ(s.status, Status::Banned);
    EXPECT_TRUE(User::decide(s, Ban{"again", 8})->empty());
    auto pw = User::decide(s, ChangePassword{"$argon2id$new", 9});
    ASSERT_FALSE(pw.has_value());
    EXPECT_EQ(pw.error().kind, DomainError::Kind::Forbidden);
    auto act = User::decide(s, Activate{10});
    ASSERT_TRUE(act.has_value());
    EXPECT_EQ((*act)[0].type, "UserActivated");
}

TEST(User, ErasureForgetsPersonalDataAndEndsTheAccount) {
    auto erased = User::decide(given({registered()}), Erase{11});
    ASSERT_TRUE(erased.has_value());
    const auto s = given({registered(), (*erased)[0]});
    EXPECT_EQ(s.status, Status::Deleted);
    EXPECT_TRUE(s.email.empty());
    EXPECT_TRUE(s.firstName.empty());
    EXPECT_TRUE(s.passwordHash.empty());
    EXPECT_EQ(User::decide(s, UpdateProfile{std::string("x"), {}, {}, 12}).error().kind, DomainError::Kind::NotFound);
    EXPECT_EQ(User::decide(User::initial(), Ban{"", 1}).error().code, "user_not_found");
}

TEST(PasswordPolicy, LengthInCharactersAndNoCommonPasswords) {
    EXPECT_FALSE(checkPasswordPolicy("correct horse battery staple").has_value());
    EXPECT_FALSE(checkPasswordPolicy("ünïcödé!").has_value()) << "8 characters, 12 bytes";
    EXPECT_EQ(checkPasswordPolicy("short").value().field, "password");
    EXPECT_TRUE(checkPasswordPolicy("ünïcöd").has_value()) << "6 characters";
    EXPECT_TRUE(checkPasswordPolicy(std::string(129, 'a')).has_value());
    EXPECT_FALSE(checkPasswordPolicy(std::string(128, 'a')).has_value());
    EXPECT_TRUE(checkPasswordPolicy("Password123").has_value()) << "common, whatever the case";
    EXPECT_TRUE(checkPasswordPolicy("qwertyuiop").has_value());
}

}  // namespace
}  // namespace lms::domain::identity
