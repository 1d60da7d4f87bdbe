// Idempotency-Key on the API's POSTs, over HTTP against `lms serve`: a retry gets the first
// answer and changes nothing; another body with the key is 422; concurrent retries execute once;
// keys are the caller's; a stored answer is sealed; an expired key executes again.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/ids.hpp"
#include "tests/support/courses.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/lms_server.hpp"
#include "tests/support/pg_fixture.hpp"

namespace lms {
namespace {

using nlohmann::json;
using test::call;

const std::string kSecret = "idempotency-it-secret-0123456789abcdef01234567";

class Idempotency : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        db_ = new test::TestDatabase();
        server_ = new test::LmsServer(db_->url(), kSecret);
        owner_ = new test::Headers(test::signUp(port(), "owner", "INSTRUCTOR", "Olga", "Owner"));
        other_ = new test::Headers(test::signUp(port(), "other", "INSTRUCTOR", "Oscar", "Other"));
        admin_ = new test::Headers(test::signUpAdmin(port(), db_->url(), kSecret));
    }
    static void TearDownTestSuite() {
        for (auto* h : {owner_, other_, admin_}) delete h;
        delete server_;
        delete db_;
    }
    static int port() { return server_->port(); }
    static test::Headers keyed(test::Headers h, const std::string& key) {
        h["Idempotency-Key"] = key;
        return h;
    }
    static std::int64_t count(const std::string& sql, const pg::Params& params) {
        pg::Connection c(db_->url());
        return c.query(sql, params).i64(0, 0);
    }

    static test::TestDatabase* db_;
    static test::LmsServer* server_;
    static test::Headers *owner_, *other_, *admin_;
};
test::TestDatabase* Idempotency::db_ = nullptr;
test::LmsServer* Idempotency::server_ = nullptr;
test::Headers *Idempotency::owner_ = nullptr, *Idempotency::other_ = nullptr, *Idempotency::admin_ = nullptr;

TEST_F(Idempotency, ARetryGetsTheFirstAnswerAndChangesNothing) {
    const std::string key = "create-" + newUuid();
    const std::string title = "Once only " + newUuid().substr(24);
    auto first = call(port(), "POST", "/api/v1/courses", test::courseInput(title), keyed(*owner_, key));
    ASSERT_EQ(first.status, 201) << first.raw;
    EXPECT_TRUE(first.header("Idempotent-Replayed").empty());
    auto again = call(port(), "POST", "/api/v1/courses", test::courseInput(title), keyed(*owner_, key));
    EXPECT_EQ(again.status, 201);
    EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(again.header("Location"), first.header("Location"));
    EXPECT_EQ(
        count("SELECT count(*) FROM lms_events WHERE event_type = 'CourseCreated' AND data->>'title' = $1", {title}), 1);
    // The same key with another body: 422, nothing made.
    auto reused = call(port(), "POST", "/api/v1/courses", test::courseInput(title + " (2)"), keyed(*owner_, key));
    EXPECT_EQ(reused.status, 422);
    EXPECT_EQ(reused.body["code"], "idempotency_key_reused");
    // Another caller's key is theirs: the same key executes for them.
    auto theirs = call(port(), "POST", "/api/v1/courses", test::courseInput(title), keyed(*other_, key));
    EXPECT_EQ(theirs.status, 201);
    EXPECT_NE(theirs.body["id"], first.body["id"]);
    // Without a key, every POST executes.
    EXPECT_NE(call(port(), "POST", "/api/v1/courses", test::courseInput(title), *owner_).body["id"], first.body["id"]);
    // A bad key: 422 naming the header.
    auto bad = call(port(), "POST", "/api/v1/courses", test::courseInput(title), keyed(*owner_, std::string(300, 'k')));
    EXPECT_EQ(bad.status, 422);
    EXPECT_EQ(bad.body["errors"][0]["field"], "Idempotency-Key");
}

TEST_F(Idempotency, ConcurrentRetriesExecuteOnce) {
    const auto course = test::publishedCourse(port(), *owner_, *admin_, "Bought once " + newUuid().substr(24), 4900);
    const auto student = test::signUp(port(), "student", "STUDENT", "Stella", "Student");
    const json body{{"courseId", course["id"]}};
    const std::string key = "pay-" + newUuid();
    std::vector<test::Reply> replies(10);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < replies.size(); ++i) {
        threads.emplace_back([&, i] {
            replies[i] = call(port(), "POST", "/api/v1/payments/checkout-sessions", body, keyed(student, key));
        });
    }
    for (auto& t : threads) t.join();
    std::set<std::string> payments;
    for (const auto& r : replies) {
        ASSERT_TRUE(r.status == 201 || (r.status == 409 && r.body["code"] == "idempotency_in_progress"))
            << r.status << " " << r.raw;
        if (r.status == 201) payments.insert(r.body["paymentId"]);
    }
    EXPECT_EQ(payments.size(), 1u);
    EXPECT_EQ(count("SELECT count(*) FROM lms_events WHERE event_type = 'PaymentInitiated' AND data->>'courseId' = $1",
                    {std::string(course["id"])}),
              1);
    // A second checkout without the key is a second payment (the control).
    EXPECT_EQ(call(port(), "POST", "/api/v1/payments/checkout-sessions", body, student).status, 201);
    EXPECT_EQ(count("SELECT count(*) FROM lms_events WHERE event_type = 'PaymentInitiated' AND data->>'courseId' = $1",
                    {std::string(course["id"])}),
              2);
}

TEST_F(Idempotency, AStoredAnswerIsSealedAndAnExpiredKeyExecutesAgain) {
    const std::string key = "register-" + newUuid();
    const json body{{"email", "keyed-" + newUuid().substr(24) + "@example.com"},
                    {"password", "correct horse battery"},
                    {"firstName", "Kim"},
                    {"lastName", "Keyed"}};
    auto first = call(port(), "POST", "/api/v1/auth/register", body, {{"Idempotency-Key", key}});
    ASSERT_EQ(first.status, 201) << first.raw;
    auto again = call(port(), "POST", "/api/v1/auth/register", body, {{"Idempotency-Key", key}});
    EXPECT_EQ(again.status, 201) << "not 409: the first answer again";
    EXPECT_EQ(again.body["user"]["id"], first.body["user"]["id"]);
    // The tokens it carries are not in the table in clear.
    const std::string token = first.body["accessToken"];
    EXPECT_EQ(count("SELECT count(*) FROM lms_idempotency WHERE position(convert_to($1, 'UTF8') in response) > 0",
                    {token.substr(0, 40)}),
              0);
    EXPECT_EQ(count("SELECT count(*) FROM lms_idempotency WHERE key = $1 AND response IS NOT NULL", {key}), 1);
    // Expired (24 h on): the key executes again, as a new request would (here: the email is taken).
    pg::Connection c(db_->url());
    c.query("UPDATE lms_idempotency SET expires_at = now() - interval '1 second' WHERE key = $1", {key});
    auto later = call(port(), "POST", "/api/v1/auth/register", body, {{"Idempotency-Key", key}});
    EXPECT_EQ(later.status, 409) << later.raw;
    EXPECT_TRUE(later.header("Idempotent-Replayed").empty());
}

}  // namespace
}  // namespace lms
