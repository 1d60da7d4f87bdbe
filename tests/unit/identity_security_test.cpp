// The security decisions of the identity context, given events, when a command, then events or a
// refusal: refresh-token rotation and reuse, password-reset tokens, bans and erasure. Through the
// deciders' public face only (initial, evolve, decide); the events are written out as the store
// holds them. No I/O.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "domain/identity/session.hpp"
#include "domain/identity/user.hpp"
#include "tests/support/given_when_then.hpp"

namespace lms::domain::identity {
namespace {

using nlohmann::json;
using test::given;

constexpr std::int64_t kMinute = 60'000'000;  // times are microseconds since the epoch
constexpr std::int64_t kT0 = 1'795'000'000'000'000;

// --- sessions ------------------------------------------------------------------------------

DomainEvent sessionStarted(const std::string& tokenHash, std::int64_t expiresAt) {
    return {"SessionStarted",
            1,
            {{"sessionId", "s1"}, {"userId", "u1"}, {"tokenHash", tokenHash}, {"expiresAt", expiresAt}, {"at", kT0}}};
}
DomainEvent sessionRefreshed(const std::string& previous, const std::string& next, std::int64_t expiresAt,
                             std::int64_t at) {
    return {"SessionRefreshed",
            1,
            {{"previousTokenHash", previous}, {"tokenHash", next}, {"expiresAt", expiresAt}, {"at", at}}};
}
DomainEvent sessionRevoked(const std::string& reason, std::int64_t at) {
    return {"SessionRevoked", 1, {{"reason", reason}, {"at", at}}};
}

TEST(SessionSecurity, EachRotationReplacesTheRefreshTokenWithTheNextOne) {
    given<Session>({sessionStarted("h1", kT0 + 60 * kMinute)})
        .when(RotateRefreshToken{"h1", "h2", kT0 + 70 * kMinute, kT0 + 10 * kMinute})
        .then({{"SessionRefreshed",
                {{"previousTokenHash", "h1"},
                 {"tokenHash", "h2"},
                 {"expiresAt", kT0 + 70 * kMinute},
                 {"at", kT0 + 10 * kMinute}}}})
        .when(RotateRefreshToken{"h2", "h3", kT0 + 80 * kMinute, kT0 + 20 * kMinute})
        .then({{"SessionRefreshed",
                {{"previousTokenHash", "h2"},
                 {"tokenHash", "h3"},
                 {"expiresAt", kT0 + 80 * kMinute},
                 {"at", kT0 + 20 * kMinute}}}});
}

TEST(SessionSecurity, PresentingAnAlreadyRotatedTokenRevokesTheSessionAndTheCurrentTokenDiesWithIt) {
    const auto at = kT0 + 20 * kMinute;
    given<Session>(
        {sessionStarted("h1", kT0 + 60 * kMinute), sessionRefreshed("h1", "h2", kT0 + 70 * kMinute, kT0 + kMinute)})
        .when(RotateRefreshToken{"h1", "stolen-next", kT0 + 80 * kMinute, at})
        .then({{"SessionRevoked", {{"reason", "refresh_token_reuse"}, {"at", at}}}})
        // The legitimate holder's current token is refused from now on: the whole family is dead.
        .when(RotateRefreshToken{"h2", "h3", kT0 + 90 * kMinute, at + kMinute})
        .thenRefused("invalid_refresh_token")
        // And the replayed one does not revoke anything twice.
        .when(RotateRefreshToken{"h1", "again", kT0 + 90 * kMinute, at + kMinute})
        .thenRefused("invalid_refresh_token");
}

TEST(SessionSecurity, ATokenThatWasNeverIssuedIsRefusedWithoutEndingTheSession) {
    // A guess must not let an attacker sign someone out.
    given<Session>({sessionStarted("h1", kT0 + 60 * kMinute)})
        .when(RotateRefreshToken{"guessed", "h2", kT0 + 70 * kMinute, kT0 + kMinute})
        .thenRefused("invalid_refresh_token")
        .when(RotateRefreshToken{"h1", "h2", kT0 + 70 * kMinute, kT0 + kMinute})
        .then({{"SessionRefreshed",
                {{"previousTokenHash", "h1"},
                 {"tokenHash", "h2"},
                 {"expiresAt", kT0 + 70 * kMinute},
                 {"at", kT0 + kMinute}}}});
}

TEST(SessionSecurity, AnExpiredRefreshTokenIsRefused) {
    const auto expiresAt = kT0 + 60 * kMinute;
    given<Session>({sessionStarted("h1", expiresAt)})
        .when(RotateRefreshToken{"h1", "h2", expiresAt + 60 * kMinute, expiresAt})
        .thenRefused("invalid_refresh_token");
    given<Session>({sessionStarted("h1", expiresAt)})
        .when(RotateRefreshToken{"h1", "h2", expiresAt + 60 * kMinute, expiresAt + 1})
        .thenRefused("invalid_refresh_token");
    // One microsecond before, it still works; a rotation moves the expiry to the new token's.
    given<Session>({sessionStarted("h1", expiresAt)})
        .when(RotateRefreshToken{"h1", "h2", expiresAt + 60 * kMinute, expiresAt - 1})
        .then({{"SessionRefreshed",
                {{"previousTokenHash", "h1"},
                 {"tokenHash", "h2"},
                 {"expiresAt", expiresAt + 60 * kMinute},
                 {"at", expiresAt - 1}}}})
        .when(RotateRefreshToken{"h2", "h3", expiresAt + 120 * kMinute, expiresAt + 30 * kMinute})
        .then({{"SessionRefreshed",
                {{"previousTokenHash", "h2"},
                 {"tokenHash", "h3"},
                 {"expiresAt", expiresAt + 120 * kMinute},
                 {"at", expiresAt + 30 * kMinute}}}});
}

TEST(SessionSecurity, ARevokedSessionRefusesRotationAndIsRevokedOnce) {
    given<Session>({sessionStarted("h1", kT0 + 60 * kMinute), sessionRevoked("logout", kT0 + kMinute)})
        .when(RotateRefreshToken{"h1", "h2", kT0 + 70 * kMinute, kT0 + 2 * kMinute})
        .thenRefused("invalid_refresh_token")
        .when(RevokeSession{"password_changed", kT0 + 3 * kMinute})
        .then({});
}

TEST(SessionSecurity, ASessionThatDoesNotExistRefusesEverythingButItsStart) {
    given<Session>({}).when(RotateRefreshToken{"h1", "h2", kT0 + kMinute, kT0}).thenRefused("invalid_refresh_token");
    given<Session>({}).when(RevokeSession{"logout", kT0}).thenRefused("invalid_refresh_token");
    given<Session>({sessionStarted("h1", kT0 + kMinute)})
        .when(StartSession{SessionId("s1"), UserId("u2"), "h9", kT0 + kMinute, kT0})
        .thenRefused("session_exists");
}

// Two tabs (or a client that lost the answer) refresh with the same token moments apart: the
// second is handed the same successor, and the session goes on.
TEST(SessionSecurity, TheTokenRotatedAwayLastAnswersWithTheSameSuccessorWithinTheGracePeriod) {
    const auto rotated = kT0 + 10 * kMinute;
    given<Session>({sessionStarted("h1", kT0 + 60 * kMinute)})
        .when(RotateRefreshToken{"h1", "h2", kT0 + 70 * kMinute, rotated})
        .then({{"SessionRefreshed",
                {{"previousTokenHash", "h1"}, {"tokenHash", "h2"}, {"expiresAt", kT0 + 70 * kMinute}, {"at", rotated}}}})
        .when(RotateRefreshToken{"h1", "h2", kT0 + 70 * kMinute, rotated + kRefreshGraceUs})
        .then({{"SessionRefreshRepeated", {{"at", rotated + kRefreshGraceUs}}}})
        // Both holders now have h2, which rotates as usual.
        .when(RotateRefreshToken{"h2", "h3", kT0 + 80 * kMinute, rotated + kRefreshGraceUs + 1})
        .then({{"SessionRefreshed",
                {{"previousTokenHash", "h2"},
                 {"tokenHash", "h3"},
                 {"expiresAt", kT0 + 80 * kMinute},
                 {"at", rotated + kRefreshGraceUs + 1}}}});
}

TEST(SessionSecurity, AfterTheGracePeriodOrForAnOlderTokenReuseStillRevokesTheFamily) {
    const auto rotated = kT0 + 10 * kMinute;
    const std::vector<DomainEvent> once{sessionStarted("h1", kT0 + 60 * kMinute),
                                        sessionRefreshed("h1", "h2", kT0 + 70 * kMinute, rotated)};
    given<Session>(once)
        .when(RotateRefreshToken{"h1", "h2", kT0 + 70 * kMinute, rotated + kRefreshGraceUs + 1})
        .then({{"SessionRevoked", {{"reason", "refresh_token_reuse"}, {"at", rotated + kRefreshGraceUs + 1}}}});
    // h1 was rotated away two rotations ago: only the last one has a grace period.
    auto twice = once;
    twice.push_back(sessionRefreshed("h2", "h3", kT0 + 80 * kMinute, rotated + 1));
    given<Session>(twice)
        .when(RotateRefreshToken{"h1", "h2", kT0 + 80 * kMinute, rotated + 2})
        .then({{"SessionRevoked", {{"reason", "refresh_token_reuse"}, {"at", rotated + 2}}}});
    // The grace period can be turned off.
    given<Session>(once)
        .when(RotateRefreshToken{"h1", "h2", kT0 + 70 * kMinute, rotated + 1, 0, 0})
        .then({{"SessionRevoked", {{"reason", "refresh_token_reuse"}, {"at", rotated + 1}}}});
}

TEST(SessionSecurity, WithinTheGracePeriodATokenWhoseSuccessorIsNotTheCurrentOneIsRefused) {
    // A session whose tokens were random (begun before they were derived): the successor the
    // caller derives is not the current token, so there is nothing to hand out again.
    const auto rotated = kT0 + 10 * kMinute;
    given<Session>({sessionStarted("h1", kT0 + 60 * kMinute), sessionRefreshed("h1", "h2", kT0 + 70 * kMinute, rotated)})
        .when(RotateRefreshToken{"h1", "not-h2", kT0 + 70 * kMinute, rotated + 1})
        .thenRefused("invalid_refresh_token")
        .when(RotateRefreshToken{"h2", "h3", kT0 + 80 * kMinute, rotated + 2})
        .then({{"SessionRefreshed",
                {{"previousTokenHash", "h2"},
                 {"tokenHash", "h3"},
                 {"expiresAt", kT0 + 80 * kMinute},
                 {"at", rotated + 2}}}});
}

TEST(SessionSecurity, ASessionBegunBeforeThePasswordChangedIsRevokedAtItsNextRefresh) {
    const auto at = kT0 + kMinute;
    // Begun at credential version 0; the user is at 1 now (a change or reset since).
    given<Session>({sessionStarted("h1", kT0 + 60 * kMinute)})
        .when(RotateRefreshToken{"h1", "h2", kT0 + 70 * kMinute, at, 1})
        .then({{"SessionRevoked", {{"reason", "credentials_changed"}, {"at", at}}}})
        .when(RotateRefreshToken{"h1", "h2", kT0 + 70 * kMinute, at + 1, 1})
        .thenRefused("invalid_refresh_token");
    // The session the password was changed from carries on under the new version.
    given<Session>({sessionStarted("h1", kT0 + 60 * kMinute)})
        .when(RenewCredentials{1, at})
        .then({{"SessionCredentialsRenewed", {{"credentialVersion", 1}, {"at", at}}}})
        .when(RenewCredentials{1, at + 1})
        .then({})
        .when(RotateRefreshToken{"h1", "h2", kT0 + 70 * kMinute, at + 2, 1})
        .then({{"SessionRefreshed",
                {{"previousTokenHash", "h1"}, {"tokenHash", "h2"}, {"expiresAt", kT0 + 70 * kMinute}, {"at", at + 2}}}});
    // A session revoked meanwhile is not renewed.
    given<Session>({sessionStarted("h1", kT0 + 60 * kMinute), sessionRevoked("logout", at)})
        .when(RenewCredentials{1, at + 1})
        .then({});
}

TEST(SessionSecurity, ASessionRecordsTheCredentialVersionItBeganUnder) {
    given<Session>({})
        .when(StartSession{SessionId("s1"), UserId("u1"), "h1", kT0 + kMinute, kT0, 3})
        .then({{"SessionStarted",
                {{"sessionId", "s1"},
                 {"userId", "u1"},
                 {"tokenHash", "h1"},
                 {"expiresAt", kT0 + kMinute},
                 {"at", kT0},
                 {"credentialVersion", 3}}}})
        .when(RotateRefreshToken{"h1", "h2", kT0 + 2 * kMinute, kT0 + 1, 3})
        .then({{"SessionRefreshed",
                {{"previousTokenHash", "h1"}, {"tokenHash", "h2"}, {"expiresAt", kT0 + 2 * kMinute}, {"at", kT0 + 1}}}});
}

// --- users ---------------------------------------------------------------------------------

DomainEvent userRegistered() {
    return {"UserRegistered",
            1,
            {{"userId", "u1"},
             {"email", "ada@example.com"},
             {"firstName", "Ada"},
             {"lastName", "Lovelace"},
             {"role", "STUDENT"},
             {"passwordHash", "$argon2id$old"},
             {"at", kT0}}};
}
DomainEvent resetRequested(const std::string& resetId, const std::string& tokenHash, std::int64_t expiresAt) {
    return {"UserPasswordResetRequested",
            1,
            {{"userId", "u1"}, {"resetId", resetId}, {"tokenHash", tokenHash}, {"expiresAt", expiresAt}, {"at", kT0}}};
}
DomainEvent userBanned(std::int64_t at) { return {"UserBanned", 1, {{"reason", "spam"}, {"at", at}}}; }
DomainEvent userErased(std::int64_t at) { return {"UserErased", 1, {{"at", at}}}; }

TEST(UserSecurity, APasswordResetTokenWorksOnce) {
    const auto at = kT0 + kMinute;
    given<User>({userRegistered(), resetRequested("r1", "t1", kT0 + 60 * kMinute)})
        .when(ResetPassword{"t1", "$argon2id$new", at})
        .then({{"UserPasswordReset", {{"resetId", "r1"}, {"passwordHash", "$argon2id$new"}, {"at", at}}}})
        .when(ResetPassword{"t1", "$argon2id$attacker", at + kMinute})
        .thenRefused("invalid_reset_token");
}

TEST(UserSecurity, APasswordResetTokenIsRefusedFromItsExpiryOn) {
    const auto expiresAt = kT0 + 60 * kMinute;
    const std::vector<DomainEvent> history{userRegistered(), resetRequested("r1", "t1", expiresAt)};
    given<User>(history).when(ResetPassword{"t1", "$argon2id$new", expiresAt}).thenRefused("invalid_reset_token");
    given<User>(history)
        .when(ResetPassword{"t1", "$argon2id$new", expiresAt + kMinute})
        .thenRefused("invalid_reset_token");
    given<User>(history)
        .when(ResetPassword{"t1", "$argon2id$new", expiresAt - 1})
        .then({{"UserPasswordReset", {{"resetId", "r1"}, {"passwordHash", "$argon2id$new"}, {"at", expiresAt - 1}}}});
}

TEST(UserSecurity, AResetSpendsEveryOutstandingToken) {
    const auto at = kT0 + kMinute;
    given<User>({userRegistered(), resetRequested("r1", "t1", kT0 + 60 * kMinute),
                 resetRequested("r2", "t2", kT0 + 60 * kMinute)})
        .when(ResetPassword{"t2", "$argon2id$new", at})
        .then({{"UserPasswordReset", {{"resetId", "r2"}, {"passwordHash", "$argon2id$new"}, {"at", at}}}})
        .when(ResetPassword{"t1", "$argon2id$other", at + kMinute})
        .thenRefused("invalid_reset_token");
}

TEST(UserSecurity, APasswordChangeVoidsTheResetLinksMailedBefore) {
    const auto at = kT0 + kMinute;
    given<User>({userRegistered(), resetRequested("r1", "t1", kT0 + 60 * kMinute)})
        .when(ChangePassword{"$argon2id$new", at})
        .then({{"UserPasswordChanged", {{"passwordHash", "$argon2id$new"}, {"at", at}}}})
        .when(ResetPassword{"t1", "$argon2id$attacker", at + 1})
        .thenRefused("invalid_reset_token");
}

TEST(UserSecurity, EachPasswordChangeOrResetIsANewCredentialVersion) {
    auto s = User::initial();
    const std::vector<DomainEvent> history{
        userRegistered(),
        {"UserPasswordChanged", 1, {{"passwordHash", "$argon2id$2"}, {"at", kT0 + 1}}},
        resetRequested("r1", "t1", kT0 + 60 * kMinute),
        {"UserPasswordReset", 1, {{"resetId", "r1"}, {"passwordHash", "$argon2id$3"}, {"at", kT0 + 2}}},
        {"UserProfileUpdated", 1, {{"bio", "hi"}, {"at", kT0 + 3}}}};
    for (std::size_t i = 0; i < history.size(); ++i) {
        s = User::evolve(s, history[i]);
        const std::int64_t expected = i == 0 ? 0 : (i < 3 ? 1 : 2);
        EXPECT_EQ(s.credentialVersion, expected) << "after " << history[i].type;
    }
}

TEST(UserSecurity, AResetTokenThatWasNeverIssuedIsRefused) {
    given<User>({userRegistered(), resetRequested("r1", "t1", kT0 + 60 * kMinute)})
        .when(ResetPassword{"guessed", "$argon2id$new", kT0 + kMinute})
        .thenRefused("invalid_reset_token");
    given<User>({userRegistered()})
        .when(ResetPassword{"t1", "$argon2id$new", kT0 + kMinute})
        .thenRefused("invalid_reset_token");
}

TEST(UserSecurity, ABannedUserCannotRequestAResetUseOneOrChangeItsPassword) {
    const auto later = kT0 + 2 * kMinute;
    given<User>({userRegistered(), userBanned(kT0 + kMinute)})
        .when(RequestPasswordReset{ResetId("r1"), "t1", later + 60 * kMinute, later})
        .thenRefused("user_banned");
    // A token mailed before the ban is no way back in.
    given<User>({userRegistered(), resetRequested("r1", "t1", kT0 + 60 * kMinute), userBanned(kT0 + kMinute)})
        .when(ResetPassword{"t1", "$argon2id$new", later})
        .thenRefused("user_banned");
    given<User>({userRegistered(), userBanned(kT0 + kMinute)})
        .when(ChangePassword{"$argon2id$new", later})
        .thenRefused("user_banned");
}

TEST(UserSecurity, ABanIsRecordedOnceAndActivationLiftsIt) {
    given<User>({userRegistered()})
        .when(Ban{"spam", kT0 + 1})
        .then({{"UserBanned", {{"reason", "spam"}, {"at", kT0 + 1}}}})
        .when(Ban{"spam again", kT0 + 2})
        .then({})
        .when(Activate{kT0 + 3})
        .then({{"UserActivated", {{"at", kT0 + 3}}}})
        .when(Activate{kT0 + 4})
        .then({})
        .when(ChangePassword{"$argon2id$new", kT0 + 5})
        .then({{"UserPasswordChanged", {{"passwordHash", "$argon2id$new"}, {"at", kT0 + 5}}}});
}

TEST(UserSecurity, AnErasedUserRefusesEveryCommandAsNotFound) {
    const auto at = kT0 + 2 * kMinute;
    // The reset token was issued before the erasure and has not expired: it is no way back either.
    const std::vector<DomainEvent> erased{userRegistered(), resetRequested("r1", "t1", kT0 + 60 * kMinute),
                                          userErased(kT0 + kMinute)};
    const User::Command commands[] = {UpdateProfile{std::string("Eve"), std::nullopt, std::nullopt, at},
                                      ChangePassword{"$argon2id$new", at},
                                      Ban{"spam", at},
                                      Activate{at},
                                      Erase{at},
                                      RequestPasswordReset{ResetId("r2"), "t2", at + 60 * kMinute, at},
                                      ResetPassword{"t1", "$argon2id$new", at}};
    for (const auto& command : commands) {
        SCOPED_TRACE(testing::Message() << "command #" << command.index() << " of User::Command");
        given<User>(erased).when(command).thenRefused("user_not_found");
    }
    // Registering into the old stream is a conflict, not a way back: the stream exists (and the
    // API never gets there, a registration makes a fresh user id).
    given<User>(erased)
        .when(Register{UserId("u1"), "eve@example.com", "$argon2id$new", "Eve", "Again", "STUDENT", false, at})
        .thenRefused("user_exists");
}

TEST(UserSecurity, AUserThatWasNeverRegisteredRefusesEveryCommandAsNotFound) {
    const User::Command commands[] = {UpdateProfile{std::string("Eve"), std::nullopt, std::nullopt, kT0},
                                      ChangePassword{"$argon2id$new", kT0},
                                      Ban{"spam", kT0},
                                      Activate{kT0},
                                      Erase{kT0},
                                      RequestPasswordReset{ResetId("r1"), "t1", kT0 + 60 * kMinute, kT0},
                                      ResetPassword{"t1", "$argon2id$new", kT0}};
    for (const auto& command : commands) {
        SCOPED_TRACE(testing::Message() << "command #" << command.index() << " of User::Command");
        given<User>({}).when(command).thenRefused("user_not_found");
    }
}

}  // namespace
}  // namespace lms::domain::identity
