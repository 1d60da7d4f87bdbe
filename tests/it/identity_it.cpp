// Every identity route as a client uses it: `lms serve` in a process of its own on port 0, real
// HTTP over a socket, a real PostgreSQL, the embedded Kafka cluster.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/identity/commands.hpp"
#include "common/ids.hpp"
#include "common/jwt.hpp"
#include "common/sha256.hpp"
#include "domain/identity/user.hpp"
#include "eventstore/command_loop.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/kafka.hpp"
#include "eventstore/personal_data.hpp"
#include "projections/identity/projection.hpp"
#include "projections/runner.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/lms_env.hpp"
#include "tests/support/lms_server.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/process.hpp"

namespace lms {
namespace {

using Server = test::LmsServer;

using nlohmann::json;

std::string lowerCase(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}
std::string upperCase(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
}

const std::string kSecret = "identity-it-secret-0123456789abcdef0123456789";

using test::bearer;
using test::call;
using test::fieldsOf;
using test::Reply;

// The rows of the query once there are some (within 10 s), or the last empty result.
pg::Result waitForRows(pg::Connection& c, const std::string& sql, const std::vector<pg::Param>& params) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
        auto r = c.query(sql, params);
        if (r.rows() > 0 || std::chrono::steady_clock::now() > until) return r;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

// The claims of a JWT, unverified.
json claimsOf(const std::string& token) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    return json::parse(jwt::base64UrlDecode(token.substr(a + 1, b - a - 1)).value_or("{}"));
}

class Identity : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        db_ = new test::TestDatabase();
        server_ = new Server(db_->url(), kSecret);
    }
    static void TearDownTestSuite() {
        delete server_;
        delete db_;
    }
    static int port() { return server_->port(); }

    // Registers a fresh student; returns the 201 reply.
    static Reply registerStudent(const std::string& email, const std::string& password = "correct horse battery",
                                 const std::string& first = "Ada", const std::string& last = "Lovelace") {
        return call(port(), "POST", "/api/v1/auth/register",
                    json{{"email", email}, {"password", password}, {"firstName", first}, {"lastName", last}});
    }
    static Reply login(const std::string& email, const std::string& password = "correct horse battery") {
        return call(port(), "POST", "/api/v1/auth/login", json{{"email", email}, {"password", password}});
    }
    static std::string uniqueEmail(const std::string& who) { return who + "-" + newUuid().substr(24) + "@example.com"; }

    static test::TestDatabase* db_;
    static Server* server_;
};
test::TestDatabase* Identity::db_ = nullptr;
Server* Identity::server_ = nullptr;

TEST_F(Identity, RegisterThenMeAndProfileUpdate) {
    const auto email = uniqueEmail("Ada.Reg");
    auto reg = registerStudent(email);
    ASSERT_EQ(reg.status, 201) << reg.raw;
    EXPECT_EQ(reg.body["user"]["email"], lowerCase(email));
    EXPECT_EQ(reg.body["user"]["role"], "STUDENT");
    EXPECT_EQ(reg.body["user"]["status"], "ACTIVE");
    EXPECT_FALSE(reg.body["user"].contains("passwordHash"));
    const std::string access = reg.body["accessToken"];
    const std::string refresh = reg.body["refreshToken"];
    EXPECT_GE(refresh.size(), 43u);  // 256 bits, base64url

    // Read-your-writes: the read model has the user the moment the 201 is sent.
    auto me = call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(access));
    ASSERT_EQ(me.status, 200) << me.raw;
    EXPECT_EQ(me.body["id"], reg.body["user"]["id"]);
    EXPECT_EQ(me.body["firstName"], "Ada");

    auto patched = call(port(), "PATCH", "/api/v1/users/me", json{{"firstName", "Augusta"}, {"bio", "Analyst"}},
                        bearer(access));
    ASSERT_EQ(patched.status, 200) << patched.raw;
    EXPECT_EQ(patched.body["firstName"], "Augusta");
    EXPECT_EQ(patched.body["bio"], "Analyst");
    EXPECT_EQ(patched.body["lastName"], "Lovelace");

    auto badPatch = call(port(), "PATCH", "/api/v1/users/me", json{{"firstName", ""}, {"role", "ADMIN"}},
                         bearer(access));
    EXPECT_EQ(badPatch.status, 422) << badPatch.raw;
    EXPECT_EQ(fieldsOf(badPatch), (std::vector<std::string>{"role"}));
    auto emptyName = call(port(), "PATCH", "/api/v1/users/me", json{{"firstName", "  "}}, bearer(access));
    EXPECT_EQ(emptyName.status, 422) << emptyName.raw;
    EXPECT_EQ(fieldsOf(emptyName), (std::vector<std::string>{"firstName"}));
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(access)).body["firstName"], "Augusta");

    // The stored event holds the personal fields sealed, never in clear.
    pg::Connection c(db_->url());
    const auto stored = c.query("SELECT data::text FROM lms_events WHERE stream_id = $1 ORDER BY stream_version",
                                {"user-" + reg.body["user"]["id"].get<std::string>()});
    ASSERT_GE(stored.rows(), 2);
    EXPECT_EQ(stored.str(0, 0).find("Lovelace"), std::string::npos);
    EXPECT_EQ(stored.str(1, 0).find("Augusta"), std::string::npos);
}

TEST_F(Identity, RegistrationRefusesBadInputWithTheFieldAtFault) {
    const auto email = uniqueEmail("dup");
    ASSERT_EQ(registerStudent(email).status, 201);
    auto again = registerStudent("  " + upperCase(email) + " ");
    EXPECT_EQ(again.status, 409) << again.raw;
    EXPECT_EQ(again.body["code"], "email_taken");
    EXPECT_EQ(fieldsOf(again), (std::vector<std::string>{"email"}));

    auto admin = call(port(), "POST", "/api/v1/auth/register",
                      json{{"email", uniqueEmail("adm")},
                           {"password", "correct horse battery"},
                           {"firstName", "A"},
                           {"lastName", "B"},
                           {"role", "ADMIN"}});
    EXPECT_EQ(admin.status, 422) << admin.raw;
    EXPECT_EQ(fieldsOf(admin), (std::vector<std::string>{"role"}));

    auto weak = registerStudent(uniqueEmail("weak"), "password");
    EXPECT_EQ(weak.status, 422);
    EXPECT_EQ(fieldsOf(weak), (std::vector<std::string>{"password"}));
    auto shortPw = registerStudent(uniqueEmail("short"), "abc");
    EXPECT_EQ(fieldsOf(shortPw), (std::vector<std::string>{"password"}));

    auto missing = call(port(), "POST", "/api/v1/auth/register", json{{"email", uniqueEmail("m")}, {"password", 5}});
    EXPECT_EQ(missing.status, 422);
    EXPECT_EQ(fieldsOf(missing), (std::vector<std::string>{"firstName", "lastName", "password"}));

    auto badEmail = registerStudent("not-an-email");
    EXPECT_EQ(badEmail.status, 422);
    EXPECT_EQ(fieldsOf(badEmail), (std::vector<std::string>{"email"}));

    auto malformed = call(port(), "POST", "/api/v1/auth/register", std::nullopt, {}, "{\"email\":");
    EXPECT_EQ(malformed.status, 400);
    EXPECT_EQ(malformed.body["code"], "malformed_json");
    EXPECT_EQ(malformed.contentType, "application/problem+json");
    auto notObject = call(port(), "POST", "/api/v1/auth/register", std::nullopt, {}, "[1,2]");
    EXPECT_EQ(notObject.status, 400);

    // None of the refused registrations left an account behind.
    pg::Connection c(db_->url());
    EXPECT_EQ(c.query("SELECT count(*) FROM lms_rm.users WHERE email_norm = $1", {lowerCase(email)}).i64(0, 0), 1);
    EXPECT_EQ(c.exec("SELECT count(*) FROM lms_rm.users WHERE email_norm = 'not-an-email'").i64(0, 0), 0);
}

// Tried as an attacker would: register the owner's address with a NUL and a suffix, so that the
// store (which cannot hold a NUL) keeps the owner's address while the reservation hashed the
// whole string. Refused with 422 naming the field; the owner then registers and signs in.
TEST_F(Identity, AnAddressWithANulCannotTakeTheOwnersAddress) {
    const auto owner = uniqueEmail("victim");
    const std::string forged = owner + std::string("\0x", 2);
    auto attack = call(
        port(), "POST", "/api/v1/auth/register",
        json{{"email", forged}, {"password", "correct horse battery"}, {"firstName", "Eve"}, {"lastName", "Mallory"}});
    ASSERT_EQ(attack.status, 422) << attack.raw;
    ASSERT_TRUE(attack.body["errors"].is_array()) << attack.raw;
    EXPECT_EQ(attack.body["errors"][0]["field"], "email") << attack.raw;
    // A control character in a name, a bidirectional override in a name: the same rule.
    auto names = call(port(), "POST", "/api/v1/auth/register",
                      json{{"email", uniqueEmail("names")},
                           {"password", "correct horse battery"},
                           {"firstName", "A\x1b[2J"},
                           {"lastName", "B\xe2\x80\xae"}});
    ASSERT_EQ(names.status, 422) << names.raw;
    EXPECT_EQ(names.body["errors"].size(), 2u) << names.raw;
    auto reg = registerStudent(owner);
    ASSERT_EQ(reg.status, 201) << reg.raw;
    EXPECT_EQ(login(owner).status, 200);
    // Forgot-password and sign-in with the forged address are refused as input, not looked up.
    EXPECT_EQ(call(port(), "POST", "/api/v1/auth/login", json{{"email", forged}, {"password", "x"}}).status, 422);
}

TEST_F(Identity, HundredConcurrentRegistrationsOfOneEmailGiveOne201And99Conflicts) {
    const auto email = uniqueEmail("race");
    std::vector<int> statuses(100, 0);
    std::vector<std::thread> clients;
    for (int i = 0; i < 100; ++i) {
        // The same address written a hundred ways: case and surrounding spaces do not make it new.
        const std::string variant = (i % 2 ? upperCase(email) : email) +
                                    std::string(static_cast<std::size_t>(i % 3), ' ');
        clients.emplace_back(
            [&, i, variant] { statuses[static_cast<std::size_t>(i)] = registerStudent(variant).status; });
    }
    for (auto& t : clients) t.join();
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1);
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 409), 99);
    pg::Connection c(db_->url());
    EXPECT_EQ(c.query("SELECT count(*) FROM lms_rm.users WHERE email_norm = $1", {lowerCase(email)}).i64(0, 0), 1);
    EXPECT_EQ(c.query("SELECT count(*) FROM lms_events WHERE event_type = 'UserRegistered' AND stream_id IN "
                      "(SELECT owner FROM lms_reservations WHERE value_hash = $1)",
                      {identity::emailReservation(kSecret, lowerCase(email))})
                  .i64(0, 0),
              1);
}

TEST_F(Identity, LoginFailuresLookTheSame) {
    const auto email = uniqueEmail("login");
    ASSERT_EQ(registerStudent(email).status, 201);
    auto good = login(upperCase(email));
    ASSERT_EQ(good.status, 200) << good.raw;
    EXPECT_EQ(good.body["user"]["email"], lowerCase(email));
    auto wrong = login(email, "not the password");
    auto unknown = login(uniqueEmail("nobody"), "not the password");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(unknown.status, 401);
    EXPECT_EQ(wrong.body["code"], "invalid_credentials");
    EXPECT_EQ(unknown.body["code"], wrong.body["code"]);
    EXPECT_EQ(unknown.body["detail"], wrong.body["detail"]);
    auto missing = call(port(), "POST", "/api/v1/auth/login", json{{"email", email}});
    EXPECT_EQ(missing.status, 422);
    EXPECT_EQ(fieldsOf(missing), (std::vector<std::string>{"password"}));

    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me").status, 401);
    auto garbage = call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer("not.a.token"));
    EXPECT_EQ(garbage.status, 401);
    EXPECT_EQ(garbage.body["code"], "invalid_token");
    // A token signed with another key is refused.
    std::string forged = good.body["accessToken"];
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(forged)).status, 401);
}

TEST_F(Identity, RefreshRotatesAndReuseRevokesTheSession) {
    const auto email = uniqueEmail("rot");
    ASSERT_EQ(registerStudent(email).status, 201);
    auto first = login(email);
    ASSERT_EQ(first.status, 200);
    const std::string r1 = first.body["refreshToken"];

    auto second = call(port(), "POST", "/api/v1/auth/refresh", json{{"refreshToken", r1}});
    ASSERT_EQ(second.status, 200) << second.raw;
    const std::string r2 = second.body["refreshToken"];
    const std::string a2 = second.body["accessToken"];
    EXPECT_NE(r2, r1);
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(a2)).status, 200);

    // The refresh token in the Authorization header works too.
    auto third = call(port(), "POST", "/api/v1/auth/refresh", std::nullopt, bearer(r2));
    ASSERT_EQ(third.status, 200) << third.raw;
    const std::string r3 = third.body["refreshToken"];
    const std::string a3 = third.body["accessToken"];

    // The attack: an old refresh token comes back. The whole session dies.
    auto replay = call(port(), "POST", "/api/v1/auth/refresh", json{{"refreshToken", r1}});
    EXPECT_EQ(replay.status, 401) << replay.raw;
    EXPECT_EQ(replay.body["code"], "refresh_token_reused");
    auto legit = call(port(), "POST", "/api/v1/auth/refresh", json{{"refreshToken", r3}});
    EXPECT_EQ(legit.status, 401);
    EXPECT_EQ(legit.body["code"], "invalid_refresh_token");
    auto me = call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(a3));
    EXPECT_EQ(me.status, 401);
    EXPECT_EQ(me.body["code"], "token_revoked");

    // Another login of the same user is another session, untouched.
    auto other = login(email);
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(other.body["accessToken"])).status, 200);

    EXPECT_EQ(call(port(), "POST", "/api/v1/auth/refresh", json{{"refreshToken", "made-up"}}).status, 401);
    auto none = call(port(), "POST", "/api/v1/auth/refresh", json::object());
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(fieldsOf(none), (std::vector<std::string>{"refreshToken"}));

    // The store has the story: started, two rotations, revoked for reuse.
    pg::Connection c(db_->url());
    const auto sid = c.query("SELECT session_id::text FROM lms_rm.refresh_tokens WHERE token_hash = $1",
                             {toHex(sha256(r1))});
    ASSERT_EQ(sid.rows(), 1);
    const auto types = c.query(
        "SELECT string_agg(event_type, ',' ORDER BY stream_version) FROM lms_events "
        "WHERE stream_id = $1",
        {"session-" + sid.str(0, 0)});
    EXPECT_EQ(types.str(0, 0), "SessionStarted,SessionRefreshed,SessionRefreshed,SessionRevoked");
    EXPECT_EQ(c.query("SELECT count(*) FROM lms_events WHERE data::text LIKE $1", {"%" + r2 + "%"}).i64(0, 0), 0)
        << "a refresh token is stored only as its hash";
}

TEST_F(Identity, LogoutEndsTheSession) {
    const auto email = uniqueEmail("out");
    auto reg = registerStudent(email);
    ASSERT_EQ(reg.status, 201);
    const std::string access = reg.body["accessToken"];
    auto out = call(port(), "POST", "/api/v1/auth/logout", std::nullopt, bearer(access));
    ASSERT_EQ(out.status, 200) << out.raw;
    EXPECT_NE(out.setCookie("refresh_token").find("Max-Age=0"), std::string::npos);
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(access)).status, 401);
    EXPECT_EQ(call(port(), "POST", "/api/v1/auth/refresh", json{{"refreshToken", reg.body["refreshToken"]}}).status,
              401);
    EXPECT_EQ(call(port(), "POST", "/api/v1/auth/logout").status, 401);
}

TEST_F(Identity, AdminListsSearchesBansAndActivates) {
    pg::Connection c(db_->url());
    const auto adminEmail = uniqueEmail("root");
    identity::Settings settings;
    settings.cost = test::kCheapPasswordCost;
    settings.secret = kSecret;
    const identity::RegisterInput in{adminEmail, "admin password 123", "Grace", "Hopper", "ADMIN", true};
    auto admin = identity::Commands(c, Clock::system(), settings).registerUser(in, {"test", "test", ""});
    ASSERT_TRUE(admin.has_value());
    auto adminLogin = login(adminEmail, "admin password 123");
    ASSERT_EQ(adminLogin.status, 200) << adminLogin.raw;
    const auto adminAuth = bearer(adminLogin.body["accessToken"]);

    const auto email = uniqueEmail("Zebedee");
    auto student = registerStudent(email, "correct horse battery", "Zebedee", "Quux");
    ASSERT_EQ(student.status, 201);
    const std::string id = student.body["user"]["id"];
    const auto studentAuth = bearer(student.body["accessToken"]);

    auto forbidden = call(port(), "GET", "/api/v1/admin/users", std::nullopt, studentAuth);
    EXPECT_EQ(forbidden.status, 403);
    EXPECT_EQ(call(port(), "PATCH", "/api/v1/admin/users/" + id + "/ban", json::object(), studentAuth).status, 403);

    auto found = call(port(), "GET", "/api/v1/admin/users?q=zebed&role=STUDENT&limit=5", std::nullopt, adminAuth);
    ASSERT_EQ(found.status, 200) << found.raw;
    ASSERT_EQ(found.body["items"].size(), 1u);
    EXPECT_EQ(found.body["items"][0]["id"], id);
    EXPECT_EQ(found.body["meta"]["totalItems"], 1);
    EXPECT_EQ(found.body["meta"]["itemsPerPage"], 5);
    auto byName = call(port(), "GET", "/api/v1/admin/users?q=Zebedee%20Quux", std::nullopt, adminAuth);
    ASSERT_EQ(byName.status, 200);
    EXPECT_EQ(byName.body["items"].size(), 1u);
    // A form-encoded query writes the space as '+'.
    auto byNamePlus = call(port(), "GET", "/api/v1/admin/users?q=Zebedee+Quux", std::nullopt, adminAuth);
    ASSERT_EQ(byNamePlus.status, 200);
    ASSERT_EQ(byNamePlus.body["items"].size(), 1u);
    EXPECT_EQ(byNamePlus.body["items"][0]["id"], id);
    // Lengths are characters: 150 × "é" is 300 bytes and within the 200 characters.
    std::string accents;
    for (int i = 0; i < 150; ++i) accents += "%C3%A9";
    EXPECT_EQ(call(port(), "GET", "/api/v1/admin/users?q=" + accents, std::nullopt, adminAuth).status, 200);
    auto all = call(port(), "GET", "/api/v1/admin/users?page=1&limit=100", std::nullopt, adminAuth);
    EXPECT_GE(all.body["meta"]["totalItems"].get<int>(), 2);
    auto bad = call(port(), "GET", "/api/v1/admin/users?limit=500&role=KING", std::nullopt, adminAuth);
    EXPECT_EQ(bad.status, 422);
    EXPECT_EQ(fieldsOf(bad), (std::vector<std::string>{"limit", "role"}));

    // A reason is free text an admin may fill with a real name: it is sealed with the person's key.
    const std::string reason = "spam, says Ermintrude " + newUuid().substr(28);
    auto ban = call(port(), "PATCH", "/api/v1/admin/users/" + id + "/ban", json{{"reason", reason}}, adminAuth);
    ASSERT_EQ(ban.status, 200) << ban.raw;
    EXPECT_EQ(c.query("SELECT count(*) FROM lms_events WHERE data::text LIKE $1", {"%Ermintrude%"}).i64(0, 0), 0);
    const auto sealedReason = c.query(
        "SELECT data->>'reason' FROM lms_events WHERE stream_id = $1 AND event_type = 'UserBanned'", {"user-" + id});
    ASSERT_EQ(sealedReason.rows(), 1);
    EXPECT_EQ(eventstore::PersonalData(c).open("user-" + id, sealedReason.str(0, 0)), reason);
    EXPECT_EQ(ban.body["status"], "BANNED");
    // At once: the banned user's live token, refresh token and password stop working.
    auto me = call(port(), "GET", "/api/v1/users/me", std::nullopt, studentAuth);
    EXPECT_TRUE(me.status == 401 || me.status == 403) << me.raw;
    EXPECT_EQ(call(port(), "POST", "/api/v1/auth/refresh", json{{"refreshToken", student.body["refreshToken"]}}).status,
              401);
    auto bannedLogin = login(email);
    EXPECT_EQ(bannedLogin.status, 403);
    EXPECT_EQ(bannedLogin.body["code"], "account_banned");
    auto banned = call(port(), "GET", "/api/v1/admin/users?status=BANNED", std::nullopt, adminAuth);
    EXPECT_EQ(banned.body["items"].size(), 1u);

    // The admin is the actor of the event.
    const auto actor = c.query(
        "SELECT metadata->>'actorId' FROM lms_events WHERE stream_id = $1 AND "
        "event_type = 'UserBanned'",
        {"user-" + id});
    ASSERT_EQ(actor.rows(), 1);
    EXPECT_EQ(actor.str(0, 0), admin->userId.value());

    EXPECT_EQ(
        call(port(), "PATCH", "/api/v1/admin/users/" + admin->userId.value() + "/ban", json::object(), adminAuth).status,
        422);
    EXPECT_EQ(call(port(), "PATCH", "/api/v1/admin/users/" + newUuid() + "/ban", json::object(), adminAuth).status, 404);
    EXPECT_EQ(call(port(), "PATCH", "/api/v1/admin/users/nope/ban", json::object(), adminAuth).status, 404);

    auto activate = call(port(), "PATCH", "/api/v1/admin/users/" + id + "/activate", std::nullopt, adminAuth);
    ASSERT_EQ(activate.status, 200) << activate.raw;
    EXPECT_EQ(activate.body["status"], "ACTIVE");
    EXPECT_EQ(login(email).status, 200);
}

TEST_F(Identity, CookieModeNeedsTheCsrfProofForUnsafeRequests) {
    const auto email = uniqueEmail("cookie");
    ASSERT_EQ(registerStudent(email).status, 201);
    auto in = login(email);
    ASSERT_EQ(in.status, 200);
    const auto accessLine = in.setCookie("access_token");
    EXPECT_NE(accessLine.find("HttpOnly"), std::string::npos);
    EXPECT_NE(accessLine.find("SameSite=Lax"), std::string::npos);
    EXPECT_EQ(accessLine.find("Secure"), std::string::npos);  // LMS_COOKIE_SECURE=0 in this test
    EXPECT_NE(in.setCookie("refresh_token").find("HttpOnly"), std::string::npos);
    EXPECT_EQ(in.setCookie("csrf_token").find("HttpOnly"), std::string::npos);  // the page's script reads it
    const std::string csrf = in.cookie("csrf_token");
    const std::string jar = "access_token=" + in.cookie("access_token") +
                            "; refresh_token=" + in.cookie("refresh_token") + "; csrf_token=" + csrf;

    auto me = call(port(), "GET", "/api/v1/users/me", std::nullopt, {{"Cookie", jar}});
    EXPECT_EQ(me.status, 200) << me.raw;
    auto noProof = call(port(), "PATCH", "/api/v1/users/me", json{{"bio", "x"}}, {{"Cookie", jar}});
    EXPECT_EQ(noProof.status, 403);
    EXPECT_EQ(noProof.body["code"], "csrf_failed");
    auto wrongProof = call(port(), "PATCH", "/api/v1/users/me", json{{"bio", "x"}},
                           {{"Cookie", jar}, {"X-CSRF-Token", "forged"}});
    EXPECT_EQ(wrongProof.status, 403);
    auto withProof = call(port(), "PATCH", "/api/v1/users/me", json{{"bio", "cookies"}},
                          {{"Cookie", jar}, {"X-CSRF-Token", csrf}});
    EXPECT_EQ(withProof.status, 200) << withProof.raw;
    EXPECT_EQ(withProof.body["bio"], "cookies");

    auto refreshNoProof = call(port(), "POST", "/api/v1/auth/refresh", std::nullopt, {{"Cookie", jar}});
    EXPECT_EQ(refreshNoProof.status, 403);
    auto refreshed = call(port(), "POST", "/api/v1/auth/refresh", std::nullopt,
                          {{"Cookie", jar}, {"X-CSRF-Token", csrf}});
    EXPECT_EQ(refreshed.status, 200) << refreshed.raw;
    EXPECT_FALSE(refreshed.cookie("refresh_token").empty());
}

TEST_F(Identity, PasswordChangeSignsOutOtherSessions) {
    const auto email = uniqueEmail("pw");
    auto a = registerStudent(email);
    ASSERT_EQ(a.status, 201);
    auto b = login(email);
    const auto here = bearer(a.body["accessToken"]);
    auto wrong = call(port(), "POST", "/api/v1/users/me/password",
                      json{{"currentPassword", "nope nope nope"}, {"newPassword", "a brand new secret"}}, here);
    EXPECT_EQ(wrong.status, 422);
    EXPECT_EQ(fieldsOf(wrong), (std::vector<std::string>{"currentPassword"}));
    auto weak = call(port(), "POST", "/api/v1/users/me/password",
                     json{{"currentPassword", "correct horse battery"}, {"newPassword", "12345678"}}, here);
    EXPECT_EQ(fieldsOf(weak), (std::vector<std::string>{"newPassword"}));
    // Two mistakes, one answer naming both.
    auto both = call(port(), "POST", "/api/v1/users/me/password", json{{"newPassword", "short"}}, here);
    EXPECT_EQ(fieldsOf(both), (std::vector<std::string>{"currentPassword", "newPassword"}));
    auto changed = call(port(), "POST", "/api/v1/users/me/password",
                        json{{"currentPassword", "correct horse battery"}, {"newPassword", "a brand new secret"}}, here);
    ASSERT_EQ(changed.status, 200) << changed.raw;
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, here).status, 200);
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(b.body["accessToken"])).status, 401);
    EXPECT_EQ(login(email).status, 401);
    EXPECT_EQ(login(email, "a brand new secret").status, 200);
}

TEST_F(Identity, ForgotAndResetPasswordWithASingleUseToken) {
    const auto email = uniqueEmail("forgot");
    auto reg = registerStudent(email);
    ASSERT_EQ(reg.status, 201);
    const std::string id = reg.body["user"]["id"];
    auto unknown = call(port(), "POST", "/api/v1/auth/password/forgot", json{{"email", uniqueEmail("ghost")}});
    auto known = call(port(), "POST", "/api/v1/auth/password/forgot", json{{"email", email}});
    EXPECT_EQ(unknown.status, 202);
    EXPECT_EQ(known.status, 202);
    EXPECT_EQ(unknown.body, known.body);

    pg::Connection c(db_->url());
    // The reset is recorded after the answer.
    const auto ev = waitForRows(c,
                                "SELECT data->>'resetId', data->>'tokenHash' FROM lms_events WHERE stream_id = $1 AND "
                                "event_type = 'UserPasswordResetRequested'",
                                {"user-" + id});
    ASSERT_EQ(ev.rows(), 1);
    // The mailer derives the token it mails from a key derived from the server's secret for this
    // purpose alone; the store has only its hash, sealed.
    const std::string token = deriveToken(kSecret, "password-reset", ev.str(0, 0));
    EXPECT_NE(token, jwt::base64UrlEncode(hmacSha256(kSecret, "password-reset\n" + ev.str(0, 0))))
        << "not keyed with the secret that signs access tokens";
    EXPECT_TRUE(eventstore::PersonalData::isSealed(ev.str(0, 1)));
    EXPECT_EQ(eventstore::PersonalData(c).open("user-" + id, ev.str(0, 1)), toHex(sha256(token)));

    auto bad = call(port(), "POST", "/api/v1/auth/password/reset",
                    json{{"token", "nope"}, {"newPassword", "fresh start 2026"}});
    EXPECT_EQ(bad.status, 422);
    EXPECT_EQ(fieldsOf(bad), (std::vector<std::string>{"token"}));
    auto weak = call(port(), "POST", "/api/v1/auth/password/reset", json{{"token", token}, {"newPassword", "short"}});
    EXPECT_EQ(fieldsOf(weak), (std::vector<std::string>{"newPassword"}));
    auto reset = call(port(), "POST", "/api/v1/auth/password/reset",
                      json{{"token", token}, {"newPassword", "fresh start 2026"}});
    ASSERT_EQ(reset.status, 200) << reset.raw;
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(reg.body["accessToken"])).status, 401);
    EXPECT_EQ(login(email, "fresh start 2026").status, 200);
    auto again = call(port(), "POST", "/api/v1/auth/password/reset",
                      json{{"token", token}, {"newPassword", "another one 2026"}});
    EXPECT_EQ(again.status, 422);
}

TEST_F(Identity, ErasureLeavesNoPersonalDataInTheDatabaseOrKafka) {
    const std::string email = uniqueEmail("erase.me");
    const std::string first = "Wilhelmina" + newUuid().substr(30);
    const std::string last = "Featherstonehaugh";
    auto reg = registerStudent(email, "correct horse battery", first, last);
    ASSERT_EQ(reg.status, 201);
    const std::string id = reg.body["user"]["id"];
    ASSERT_EQ(
        call(port(), "PATCH", "/api/v1/users/me", json{{"bio", "bio of " + first}}, bearer(reg.body["accessToken"]))
            .status,
        200);
    auto gone = call(port(), "DELETE", "/api/v1/users/me", std::nullopt, bearer(reg.body["accessToken"]));
    ASSERT_EQ(gone.status, 204) << gone.raw;
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(reg.body["accessToken"])).status, 401);
    EXPECT_EQ(login(email).status, 401);

    pg::Connection c(db_->url());
    auto everywhere = [&](const std::string& needle) {
        // Every table of every schema, as text: events, read models, checkpoints, reservations.
        const auto tables = c.exec(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'");
        std::int64_t hits = 0;
        for (int i = 0; i < tables.rows(); ++i) {
            hits += c.query("SELECT count(*) FROM " + tables.str(i, 0) + " t WHERE t::text ILIKE $1",
                            {"%" + needle + "%"})
                        .i64(0, 0);
        }
        return hits;
    };
    EXPECT_EQ(everywhere(email), 0);
    EXPECT_EQ(everywhere(first), 0);
    EXPECT_EQ(everywhere(last), 0);
    // The keys of the person and of every session they had are destroyed.
    EXPECT_EQ(c.query("SELECT count(*) FROM lms_subject_keys WHERE data_key IS NOT NULL AND (subject_id = $1 OR "
                      "subject_id IN (SELECT 'session-' || session_id FROM lms_rm.sessions WHERE user_id = $2::uuid))",
                      {"user-" + id, id})
                  .i64(0, 0),
              0);
    EXPECT_GE(c.query("SELECT count(*) FROM lms_subject_keys WHERE shredded_at IS NOT NULL AND subject_id IN "
                      "(SELECT 'session-' || session_id FROM lms_rm.sessions WHERE user_id = $1::uuid)",
                      {id})
                  .i64(0, 0),
              1);
    // The sealed values in the history can no longer be opened.
    const auto sealed = c.query(
        "SELECT data->>'email' FROM lms_events WHERE stream_id = $1 AND event_type = 'UserRegistered'", {"user-" + id});
    ASSERT_EQ(sealed.rows(), 1);
    EXPECT_FALSE(eventstore::PersonalData(c).open("user-" + id, sealed.str(0, 0)).has_value());

    // After a full replay, still nothing.
    std::vector<std::string> argv{test::lmsBinary(), "replay"};
    test::Process replay(argv, server_->env(), true);
    EXPECT_EQ(replay.wait(), 0);
    EXPECT_EQ(everywhere(email), 0);
    EXPECT_EQ(everywhere(first), 0);
    // What stays of the account is a tombstone: no personal field, and no query returns it.
    const auto tombstone = c.query(
        "SELECT status, email IS NULL AND email_norm IS NULL AND first_name IS NULL AND last_name IS NULL AND bio = '' "
        "AND password_hash = '' FROM lms_rm.users WHERE user_id = $1::uuid",
        {id});
    ASSERT_EQ(tombstone.rows(), 1);
    EXPECT_EQ(tombstone.str(0, 0), "DELETED");
    EXPECT_TRUE(tombstone.boolean(0, 1));

    // Kafka: wait until the relay has published the erasure, then read the identity topic.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool sawErasure = false;
    std::int64_t messages = 0;
    kafka::Consumer consumer(server_->brokers(), "identity-it-" + newUuid(), {"lms.identity"}, {},
                             kafka::Consumer::Mode::AssignFromStart);
    while (!sawErasure && std::chrono::steady_clock::now() < deadline) {
        kafka::IncomingMessage m;
        if (!consumer.poll(m, std::chrono::milliseconds(500))) continue;
        ++messages;
        EXPECT_EQ(m.value.find(email), std::string::npos);
        EXPECT_EQ(m.value.find(first), std::string::npos);
        EXPECT_EQ(m.value.find(last), std::string::npos);
        if (m.key == "user-" + id && m.headers["lms.type"] == "UserErased") sawErasure = true;
    }
    EXPECT_TRUE(sawErasure) << "read " << messages << " messages";

    // The email is free again.
    EXPECT_EQ(registerStudent(email).status, 201);
}

TEST_F(Identity, ABanCommittedByAnotherProcessStopsCachedTokensWithinMoments) {
    const auto email = uniqueEmail("cached");
    auto reg = registerStudent(email);
    ASSERT_EQ(reg.status, 201);
    const std::string id = reg.body["user"]["id"];
    const auto auth = bearer(reg.body["accessToken"]);
    // Authenticated twice: the second answer comes from the server's cache.
    ASSERT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, auth).status, 200);
    ASSERT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, auth).status, 200);
    // Another process (this test) bans the user through the store, not through this server, and
    // leaves the sessions alone (identity::Commands::ban would revoke them too): only the ban
    // itself can stop the cached token.
    pg::Connection c(db_->url());
    eventstore::CommandOptions opts;
    opts.withinTransaction =
        [](pg::Connection& conn,
           const std::vector<eventstore::RecordedEvent>& written) -> std::optional<domain::DomainError> {
        projections::identity::Identity readModel;
        projections::applyInline(conn, readModel, written);
        return std::nullopt;
    };
    const domain::identity::UserId user(id);
    ASSERT_TRUE(
        (eventstore::handleCommand<domain::identity::User>(
             c, domain::identity::userStream(user),
             domain::identity::User::Command{domain::identity::Ban{"elsewhere", 1}}, {"other-process", "t", ""}, opts))
            .has_value());
    const auto banned = std::chrono::steady_clock::now();
    int status = 200;
    while (status == 200 && std::chrono::steady_clock::now() - banned < std::chrono::seconds(10)) {
        status = call(port(), "GET", "/api/v1/users/me", std::nullopt, auth).status;
    }
    EXPECT_EQ(status, 403);
    // The store's NOTIFY wakes the server's follower: well under the 50 ms poll interval plus slack.
    EXPECT_LT(std::chrono::steady_clock::now() - banned, std::chrono::seconds(2));
}

// The server remembers tokens that verified (decision 0010: a JWT check per request was a third
// of /users/me), but never past their expiry: a token used every moment of its life is refused
// the second it expires, with the code that tells the client to refresh.
TEST_F(Identity, TwoRefreshesWithOneTokenAtOnceKeepTheSessionAndShareTheSuccessor) {
    const auto email = uniqueEmail("tabs");
    ASSERT_EQ(registerStudent(email).status, 201);
    auto first = login(email);
    ASSERT_EQ(first.status, 200);
    const std::string r1 = first.body["refreshToken"];
    // Two tabs (or a client retrying a lost answer) refresh with the same token at once.
    Reply a, b;
    std::thread ta([&] { a = call(port(), "POST", "/api/v1/auth/refresh", json{{"refreshToken", r1}}); });
    std::thread tb([&] { b = call(port(), "POST", "/api/v1/auth/refresh", json{{"refreshToken", r1}}); });
    ta.join();
    tb.join();
    ASSERT_EQ(a.status, 200) << a.raw;
    ASSERT_EQ(b.status, 200) << b.raw;
    EXPECT_EQ(a.body["refreshToken"], b.body["refreshToken"]) << "the same successor";
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(a.body["accessToken"])).status, 200);
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(b.body["accessToken"])).status, 200);
    // The successor rotates as usual, and the session lives on.
    auto next = call(port(), "POST", "/api/v1/auth/refresh", json{{"refreshToken", a.body["refreshToken"]}});
    ASSERT_EQ(next.status, 200) << next.raw;
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(next.body["accessToken"])).status, 200);
    // r1 is now two rotations old: presenting it is reuse, and the family dies.
    auto replay = call(port(), "POST", "/api/v1/auth/refresh", json{{"refreshToken", r1}});
    EXPECT_EQ(replay.status, 401);
    EXPECT_EQ(replay.body["code"], "refresh_token_reused");
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(next.body["accessToken"])).status, 401);
}

TEST_F(Identity, APasswordChangeVoidsTheResetLinksMailedBefore) {
    const auto email = uniqueEmail("voided");
    auto reg = registerStudent(email);
    ASSERT_EQ(reg.status, 201);
    const std::string id = reg.body["user"]["id"];
    ASSERT_EQ(call(port(), "POST", "/api/v1/auth/password/forgot", json{{"email", email}}).status, 202);
    pg::Connection c(db_->url());
    const auto ev = waitForRows(
        c, "SELECT data->>'resetId' FROM lms_events WHERE stream_id = $1 AND event_type = 'UserPasswordResetRequested'",
        {"user-" + id});
    ASSERT_EQ(ev.rows(), 1);
    const std::string token = deriveToken(kSecret, "password-reset", ev.str(0, 0));
    auto changed = call(port(), "POST", "/api/v1/users/me/password",
                        json{{"currentPassword", "correct horse battery"}, {"newPassword", "changed on purpose"}},
                        bearer(reg.body["accessToken"]));
    ASSERT_EQ(changed.status, 200) << changed.raw;
    // Whoever reads the old mail cannot take the account back.
    auto reset = call(port(), "POST", "/api/v1/auth/password/reset",
                      json{{"token", token}, {"newPassword", "the attacker's own"}});
    EXPECT_EQ(reset.status, 422) << reset.raw;
    EXPECT_EQ(fieldsOf(reset), (std::vector<std::string>{"token"}));
    EXPECT_EQ(login(email, "changed on purpose").status, 200);
    // The change and the sign-out of the other sessions are one outcome: one transaction.
    const auto txs = c.query(
        "SELECT count(DISTINCT tx_id) FROM lms_events WHERE event_type IN ('UserPasswordChanged', "
        "'SessionCredentialsRenewed') AND (stream_id = $1 OR metadata->>'actorId' = $2) AND recorded_at > now() - "
        "interval '1 minute'",
        {"user-" + id, id});
    EXPECT_EQ(txs.i64(0, 0), 1);
}

TEST_F(Identity, NoPasswordOrTokenHashInTheStoreOrOnKafka) {
    const auto email = uniqueEmail("secrets");
    auto reg = registerStudent(email);
    ASSERT_EQ(reg.status, 201);
    const std::string id = reg.body["user"]["id"];
    auto in = login(email);
    ASSERT_EQ(in.status, 200);
    auto refreshed = call(port(), "POST", "/api/v1/auth/refresh", json{{"refreshToken", in.body["refreshToken"]}});
    ASSERT_EQ(refreshed.status, 200);
    ASSERT_EQ(call(port(), "POST", "/api/v1/users/me/password",
                   json{{"currentPassword", "correct horse battery"}, {"newPassword", "a secret nobody reads"}},
                   bearer(reg.body["accessToken"]))
                  .status,
              200);
    std::vector<std::string> hashes{toHex(sha256(std::string(reg.body["refreshToken"]))),
                                    toHex(sha256(std::string(in.body["refreshToken"]))),
                                    toHex(sha256(std::string(refreshed.body["refreshToken"])))};
    pg::Connection c(db_->url());
    const std::string sid = claimsOf(in.body["accessToken"])["sid"];
    // Every event of the user and their sessions, as stored (and so as published).
    const auto stored = c.query(
        "SELECT coalesce(string_agg(data::text, ' '), '') FROM lms_events WHERE stream_id = $1 OR stream_id = $2",
        {"user-" + id, "session-" + sid});
    const std::string all = stored.str(0, 0);
    EXPECT_EQ(all.find("$argon2"), std::string::npos) << "no password hash";
    for (const auto& h : hashes) EXPECT_EQ(all.find(h), std::string::npos) << "no refresh token hash";
    EXPECT_NE(all.find("pd1:"), std::string::npos);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    kafka::Consumer consumer(server_->brokers(), "identity-secrets-" + newUuid(), {"lms.identity"}, {},
                             kafka::Consumer::Mode::AssignFromStart);
    bool sawChange = false;
    std::int64_t messages = 0;
    while (!sawChange && std::chrono::steady_clock::now() < deadline) {
        kafka::IncomingMessage m;
        if (!consumer.poll(m, std::chrono::milliseconds(500))) continue;
        ++messages;
        EXPECT_EQ(m.value.find("$argon2"), std::string::npos) << m.value;
        for (const auto& h : hashes) EXPECT_EQ(m.value.find(h), std::string::npos) << m.value;
        if (m.key == "user-" + id && m.headers["lms.type"] == "UserPasswordChanged") sawChange = true;
    }
    EXPECT_TRUE(sawChange) << "read " << messages << " messages";
}

TEST_F(Identity, AnAccessTokenWithoutAnExpiryIsRefused) {
    const auto email = uniqueEmail("noexp");
    auto reg = registerStudent(email);
    ASSERT_EQ(reg.status, 201);
    auto claims = claimsOf(reg.body["accessToken"]);
    ASSERT_TRUE(claims.contains("exp"));
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(reg.body["accessToken"])).status, 200);
    // Signed with the right key, for a live session, but for ever.
    claims.erase("exp");
    auto never = call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(jwt::signHs256(claims, kSecret)));
    EXPECT_EQ(never.status, 401) << never.raw;
    EXPECT_EQ(never.body["code"], "invalid_token");
    claims["exp"] = "never";
    EXPECT_EQ(call(port(), "GET", "/api/v1/users/me", std::nullopt, bearer(jwt::signHs256(claims, kSecret))).status,
              401);
}

TEST_F(Identity, TheEmailReservationIsKeyedNotABareHash) {
    const auto email = uniqueEmail("keyed");
    auto reg = registerStudent(email);
    ASSERT_EQ(reg.status, 201);
    const std::string owner = "user-" + std::string(reg.body["user"]["id"]);
    pg::Connection c(db_->url());
    const auto rows = c.query("SELECT scope, value_hash FROM lms_reservations WHERE owner = $1", {owner});
    ASSERT_EQ(rows.rows(), 1);
    EXPECT_EQ(rows.str(0, 0), "email-hmac");
    EXPECT_NE(rows.str(0, 1), toHex(sha256(email))) << "a dictionary of addresses would reverse it";
    EXPECT_EQ(rows.str(0, 1), identity::emailReservation(kSecret, email));
    // A reservation made before they were keyed still holds its address.
    const auto old = uniqueEmail("legacy");
    c.query("INSERT INTO lms_reservations (scope, value_hash, owner) VALUES ('email', $1, $2)",
            {toHex(sha256(old)), "user-" + newUuid()});
    auto taken = registerStudent(old);
    EXPECT_EQ(taken.status, 409) << taken.raw;
    EXPECT_EQ(fieldsOf(taken), (std::vector<std::string>{"email"}));
}

TEST_F(Identity, ForgotPasswordAnswersBeforeItLooksTheAccountUp) {
    const auto email = uniqueEmail("timing");
    auto reg = registerStudent(email);
    ASSERT_EQ(reg.status, 201);
    const std::string id = reg.body["user"]["id"];
    // Hold the account's row: recording a reset has to wait for it; answering must not.
    pg::Connection holder(db_->url());
    holder.exec("BEGIN");
    holder.query("SELECT 1 FROM lms_rm.users WHERE user_id = $1::uuid FOR UPDATE", {id});
    const auto t0 = std::chrono::steady_clock::now();
    auto known = call(port(), "POST", "/api/v1/auth/password/forgot", json{{"email", email}});
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(known.status, 202);
    EXPECT_LT(took, std::chrono::seconds(2)) << "the answer waited for the account's lookup";
    pg::Connection c(db_->url());
    const std::string sql =
        "SELECT 1 FROM lms_events WHERE stream_id = $1 AND event_type = 'UserPasswordResetRequested'";
    EXPECT_EQ(c.query(sql, {"user-" + id}).rows(), 0);
    holder.exec("COMMIT");
    EXPECT_EQ(waitForRows(c, sql, {"user-" + id}).rows(), 1) << "recorded once the row was free";
}

// A sign-in whose password check began before a password change committed must not leave a
// session that outlives the change (the check and the start are one decision).
TEST(IdentitySessions, ASignInRacingAPasswordChangeDoesNotOutliveIt) {
    test::TestDatabase db;
    // The real Argon2id cost: the window between checking a password and starting the session.
    Server server(db.url(), kSecret, {{"LMS_ARGON2_MEMORY_KIB", "19456"}, {"LMS_ARGON2_ITERATIONS", "2"}});
    int signedIn = 0;
    for (int run = 0; run < 16; ++run) {
        const auto email = "race-" + std::to_string(run) + "-" + newUuid().substr(24) + "@example.com";
        auto reg = call(server.port(), "POST", "/api/v1/auth/register",
                        json{{"email", email}, {"password", "the old password"}, {"firstName", "R"}, {"lastName", "C"}});
        ASSERT_EQ(reg.status, 201) << reg.raw;
        Reply change, in;
        std::thread changer([&] {
            change = call(server.port(), "POST", "/api/v1/users/me/password",
                          json{{"currentPassword", "the old password"}, {"newPassword", "the new password"}},
                          bearer(reg.body["accessToken"]));
        });
        std::thread signer([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(10 + 10 * (run % 4)));
            in = call(server.port(), "POST", "/api/v1/auth/login",
                      json{{"email", email}, {"password", "the old password"}});
        });
        changer.join();
        signer.join();
        ASSERT_EQ(change.status, 200) << change.raw;
        if (in.status != 200) {
            EXPECT_EQ(in.status, 401) << in.raw;
            continue;
        }
        ++signedIn;
        // Signed in with the old password while it changed: the session must be over now.
        auto refreshed = call(server.port(), "POST", "/api/v1/auth/refresh",
                              json{{"refreshToken", in.body["refreshToken"]}});
        EXPECT_EQ(refreshed.status, 401) << "run " << run << ": " << refreshed.raw;
        EXPECT_EQ(call(server.port(), "GET", "/api/v1/users/me", std::nullopt, bearer(in.body["accessToken"])).status, 401)
            << "run " << run;
    }
    std::cout << signedIn << " of 16 sign-ins with the old password got an answer 200 before the change ended them\n";
}

TEST(IdentityTokens, ARememberedAccessTokenStillExpires) {
    test::TestDatabase db;
    Server server(db.url(), kSecret, {{"LMS_ACCESS_TOKEN_TTL_S", "10"}});
    const json reg{{"email", "expiring-" + newUuid().substr(24) + "@example.com"},
                   {"password", "correct horse battery"},
                   {"firstName", "A"},
                   {"lastName", "B"}};
    auto r = call(server.port(), "POST", "/api/v1/auth/register", reg);
    ASSERT_EQ(r.status, 201) << r.raw;
    const auto auth = bearer(r.body["accessToken"]);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(14);
    int status = 200;
    std::string code;
    int answered = 0;
    while (status == 200 && std::chrono::steady_clock::now() < until) {
        auto me = call(server.port(), "GET", "/api/v1/users/me", std::nullopt, auth);
        status = me.status;
        if (status != 200) code = me.body.value("code", "");
        ++answered;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_GT(answered, 20) << "the token served a while first";
    EXPECT_EQ(status, 401);
    EXPECT_EQ(code, "token_expired");
    // A token altered by one byte is refused though its original was remembered.
    auto forged = std::string(r.body["accessToken"]);
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    EXPECT_EQ(call(server.port(), "GET", "/api/v1/users/me", std::nullopt, bearer(forged)).status, 401);
}

TEST(IdentityRateLimits, LoginAndRegistrationAreLimitedPerAccountWithRetryAfter) {
    test::TestDatabase db;
    Server server(db.url(), kSecret, {{"LMS_RATE_LOGIN_PER_MIN", "3"}, {"LMS_RATE_REGISTER_PER_MIN", "3"}});
    const json reg{{"email", "taken-" + newUuid().substr(24) + "@example.com"},
                   {"password", "correct horse battery"},
                   {"firstName", "A"},
                   {"lastName", "B"}};
    EXPECT_EQ(call(server.port(), "POST", "/api/v1/auth/register", reg).status, 201);
    EXPECT_EQ(call(server.port(), "POST", "/api/v1/auth/register", reg).status, 409);
    EXPECT_EQ(call(server.port(), "POST", "/api/v1/auth/register", reg).status, 409);
    auto regLimited = call(server.port(), "POST", "/api/v1/auth/register", reg);
    EXPECT_EQ(regLimited.status, 429);
    EXPECT_FALSE(regLimited.header("Retry-After").empty());
    const auto email = "limited-" + newUuid().substr(24) + "@example.com";
    for (int i = 0; i < 3; ++i) {
        auto r = call(server.port(), "POST", "/api/v1/auth/login",
                      json{{"email", email}, {"password", "whatever it is"}});
        EXPECT_EQ(r.status, 401) << r.raw;
    }
    auto limited = call(server.port(), "POST", "/api/v1/auth/login",
                        json{{"email", email}, {"password", "whatever it is"}});
    EXPECT_EQ(limited.status, 429);
    EXPECT_EQ(limited.body["code"], "rate_limited");
    const auto retryAfter = limited.header("Retry-After");
    EXPECT_GE(std::stoi(retryAfter.empty() ? "0" : retryAfter), 1);
    // The limit is on the address as the lookup sees it: other spellings share the bucket, and an
    // invisible suffix is refused before any lookup instead of opening a bucket of its own.
    auto respelled = call(server.port(), "POST", "/api/v1/auth/login",
                          json{{"email", " " + upperCase(email) + " "}, {"password", "whatever it is"}});
    EXPECT_EQ(respelled.status, 429) << respelled.raw;
    auto suffixed = call(server.port(), "POST", "/api/v1/auth/login",
                         json{{"email", email + std::string(1, '\0') + "1"}, {"password", "whatever it is"}});
    EXPECT_EQ(suffixed.status, 422) << suffixed.raw;
    EXPECT_EQ(fieldsOf(suffixed), (std::vector<std::string>{"email"}));
    // Another account from the same address still gets through (the per-IP bucket is larger).
    auto other = call(server.port(), "POST", "/api/v1/auth/login",
                      json{{"email", "other-" + email}, {"password", "whatever it is"}});
    EXPECT_EQ(other.status, 401);

    // Guessing the current password through a password change costs an Argon2id hash each time:
    // limited per account like a sign-in.
    auto signedIn = call(server.port(), "POST", "/api/v1/auth/login",
                         json{{"email", reg["email"]}, {"password", "correct horse battery"}});
    ASSERT_EQ(signedIn.status, 200) << signedIn.raw;
    const auto auth = bearer(signedIn.body["accessToken"]);
    for (int i = 0; i < 3; ++i) {
        auto r = call(server.port(), "POST", "/api/v1/users/me/password",
                      json{{"currentPassword", "guess number " + std::to_string(i)}, {"newPassword", "whatever new 1"}},
                      auth);
        EXPECT_EQ(r.status, 422) << r.raw;
    }
    auto guessing = call(server.port(), "POST", "/api/v1/users/me/password",
                         json{{"currentPassword", "correct horse battery"}, {"newPassword", "whatever new 1"}}, auth);
    EXPECT_EQ(guessing.status, 429) << guessing.raw;
    EXPECT_FALSE(guessing.header("Retry-After").empty());
}

}  // namespace
}  // namespace lms
