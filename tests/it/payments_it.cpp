// Payments as clients and providers use them: `lms serve` in a process of its own, real HTTP
// over a socket, a real PostgreSQL. The simulated flow end to end; Stripe and Razorpay webhooks
// signed as the providers sign them (common/webhook_signature, cross-checked against their own
// libraries by the providers tests): tampered, stale, rotated, redelivered (100 at once),
// reordered, foreign-currency; refunds revoking access; a crash between a webhook's 2xx and its
// processing.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/payments/commands.hpp"
#include "common/clock.hpp"
#include "common/ids.hpp"
#include "common/webhook_signature.hpp"
#include "tests/support/courses.hpp"
#include "tests/support/dump.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/lms_env.hpp"
#include "tests/support/lms_server.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/provider_standin.hpp"

namespace lms {
namespace {

using nlohmann::json;
using test::call;

const std::string kSecret = "payments-it-secret-0123456789abcdef0123456789ab";
const std::string kStripeOld = "whsec_old_secret_for_rotation";
const std::string kStripeNew = "whsec_new_secret_for_rotation";
const std::string kRazorpay = "rzp_webhook_secret_for_tests";

std::map<std::string, std::string> serverEnv() {
    return {{"LMS_STRIPE_WEBHOOK_SECRETS", kStripeOld + "," + kStripeNew}, {"LMS_RAZORPAY_WEBHOOK_SECRET", kRazorpay}};
}

// Waits until check() holds (the processor runs after the webhook's answer).
bool eventually(const std::function<bool()>& check, std::chrono::seconds limit = std::chrono::seconds(15)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (check()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return check();
}

// A provider as the test opens its checkouts: what Stripe's or Razorpay's REST API would answer.
class StandInProvider final : public payments::Provider {
public:
    explicit StandInProvider(std::string name) : name_(std::move(name)) {}
    std::string name() const override { return name_; }
    expected<payments::CheckoutSession, std::string> checkout(const payments::CheckoutRequest& r) override {
        const std::string prefix = name_ == "stripe" ? "cs_test_" : "order_";
        return payments::CheckoutSession{prefix + r.paymentId.substr(24), "https://pay.example/" + r.paymentId};
    }
    expected<std::string, std::string> refund(const payments::RefundRequest& r) override {
        return "re_" + r.paymentId.substr(24);
    }

private:
    std::string name_;
};

class Payments : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        db_ = new test::TestDatabase();
        server_ = new test::LmsServer(db_->url(), kSecret, serverEnv());
        owner_ = new test::Headers(test::signUp(port(), "owner", "INSTRUCTOR", "Olga", "Owner"));
        admin_ = new test::Headers(test::signUpAdmin(port(), db_->url(), kSecret));
    }
    static void TearDownTestSuite() {
        delete owner_;
        delete admin_;
        delete server_;
        delete db_;
    }
    static int port() { return server_->port(); }
    static test::Headers student() { return test::signUp(port(), "student", "STUDENT", "Stella", "Student"); }
    static std::string idOf(const test::Headers& who) {
        return call(port(), "GET", "/api/v1/users/me", std::nullopt, who).body["id"];
    }
    static json course(std::int64_t price = 4900) {
        return test::publishedCourse(port(), *owner_, *admin_, "Paid " + newUuid().substr(30), price);
    }
    // A checkout opened through the use case with a provider stand-in (the server's is simulated).
    static payments::PaymentRow checkoutWith(const std::string& provider, const std::string& studentId,
                                             const std::string& courseId) {
        pg::Connection c(db_->url());
        StandInProvider p(provider);
        auto made = payments::Commands(c, Clock::system()).checkout(studentId, courseId, p, {studentId, "test", ""});
        EXPECT_TRUE(made.has_value()) << (made ? "" : made.error().code);
        return *made;
    }
    static std::string enrollmentStatus(const test::Headers& who, const std::string& courseId) {
        auto r = call(port(), "GET", "/api/v1/courses/" + courseId + "/enrollment", std::nullopt, who);
        return r.status == 200 ? std::string(r.body["status"]) : std::to_string(r.status);
    }
    static std::string paymentStatus(const std::string& paymentId) {
        pg::Connection c(db_->url());
        const auto r = c.query("SELECT status FROM lms_rm.payments WHERE payment_id = $1::uuid", {paymentId});
        return r.rows() == 0 ? "" : r.str(0, 0);
    }
    static std::int64_t count(const std::string& sql, const pg::Params& params) {
        pg::Connection c(db_->url());
        return c.query(sql, params).i64(0, 0);
    }
    static test::Reply stripe(const json& event, const std::string& secret = kStripeNew, std::int64_t at = 0,
                              int toPort = 0) {
        const std::string body = event.dump();
        const auto t = at != 0 ? at : Clock::system().nowSeconds();
        return call(toPort != 0 ? toPort : port(), "POST", "/api/v1/payments/webhooks/stripe", std::nullopt,
                    {{"Stripe-Signature", webhook::signStripe(body, secret, t)}, {"Content-Type", "application/json"}},
                    body);
    }
    static json sessionCompleted(const payments::PaymentRow& p, std::int64_t amount, const std::string& currency,
                                 const std::string& intent = "") {
        return {{"id", "evt_" + newUuid().substr(24)},
                {"type", "checkout.session.completed"},
                {"created", Clock::system().nowSeconds()},
                {"data",
                 {{"object",
                   {{"id", p.providerRef},
                    {"client_reference_id", p.id},
                    {"amount_total", amount},
                    {"currency", currency},
                    {"payment_status", "paid"},
                    {"payment_intent", intent.empty() ? "pi_" + p.id.substr(24) : intent},
                    {"customer_details", {{"email", "stella@example.com"}, {"name", "Stella Student"}}}}}}}};
    }
    static json chargeRefunded(const std::string& intent, std::int64_t amount, const std::string& paymentId = "") {
        json metadata = json::object();
        if (!paymentId.empty()) metadata["paymentId"] = paymentId;
        return {{"id", "evt_" + newUuid().substr(24)},
                {"type", "charge.refunded"},
                {"data",
                 {{"object",
                   {{"id", "ch_" + newUuid().substr(24)},
                    {"payment_intent", intent},
                    {"amount", amount},
                    {"amount_refunded", amount},
                    {"refunded", true},
                    {"currency", "usd"},
                    {"metadata", metadata}}}}}};
    }

    static test::TestDatabase* db_;
    static test::LmsServer* server_;
    static test::Headers *owner_, *admin_;
};
test::TestDatabase* Payments::db_ = nullptr;
test::LmsServer* Payments::server_ = nullptr;
test::Headers *Payments::owner_ = nullptr, *Payments::admin_ = nullptr;

TEST_F(Payments, TheSimulatedFlowPaysEnrollsAndARefundRevokesAccess) {
    const auto c = course(4900);
    const std::string id = c["id"];
    const auto s = student();
    ASSERT_EQ(call(port(), "POST", "/api/v1/courses/" + id + "/enroll", std::nullopt, s).status, 402);
    // The amount is the course's, whatever the client sends.
    auto made = call(port(), "POST", "/api/v1/payments/checkout-sessions",
                     json{{"courseId", id}, {"amount", 1}, {"currency", "JPY"}}, s);
    ASSERT_EQ(made.status, 201) << made.raw;
    EXPECT_EQ(made.body["amount"], 4900);
    EXPECT_EQ(made.body["currency"], "USD");
    EXPECT_EQ(made.body["provider"], "simulated");
    EXPECT_EQ(made.body["status"], "PENDING");
    const std::string pid = made.body["paymentId"];
    const std::string url = made.body["url"];
    const std::string path = url.substr(url.find("/api/v1/"));
    auto page = call(port(), "GET", path);
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.contentType.find("text/html"), std::string::npos);
    EXPECT_NE(page.raw.find(path + "/complete"), std::string::npos);
    EXPECT_EQ(enrollmentStatus(s, id), "404");

    ASSERT_EQ(call(port(), "POST", path + "/complete").status, 202);
    ASSERT_TRUE(eventually([&] { return enrollmentStatus(s, id) == "ACTIVE"; }));
    auto enrolled = call(port(), "GET", "/api/v1/courses/" + id + "/enrollment", std::nullopt, s);
    EXPECT_EQ(enrolled.body["source"], "PAYMENT");
    EXPECT_EQ(enrolled.body["paymentId"], pid);
    EXPECT_EQ(enrolled.body["amount"], 4900);
    EXPECT_EQ(
        call(port(), "GET", "/api/v1/courses/" + id, std::nullopt, s).body["sections"][0]["lectures"][0]["content"],
        "secret content");
    auto history = call(port(), "GET", "/api/v1/payments/history", std::nullopt, s);
    ASSERT_EQ(history.body["meta"]["totalItems"], 1);
    EXPECT_EQ(history.body["items"][0]["status"], "COMPLETED");
    // The receipt, mailed (here: into the outbox) for the completion.
    const auto mailOf = [&](const std::string& eventType) {
        pg::Connection c(db_->url());
        const auto r = c.query("SELECT event_id::text FROM lms_events WHERE stream_id = $1 AND event_type = $2",
                               {"payment-" + pid, eventType});
        if (r.rows() == 0) return std::string();
        std::ifstream in(std::filesystem::path(server_->env().at("LMS_DATA_DIR")) / "outbox" / (r.str(0, 0) + ".eml"));
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    };
    ASSERT_TRUE(eventually([&] { return !mailOf("PaymentCompleted").empty(); }, std::chrono::seconds(90)));
    EXPECT_NE(mailOf("PaymentCompleted").find("Subject: Your receipt for " + std::string(c["title"])), std::string::npos)
        << mailOf("PaymentCompleted");
    EXPECT_NE(mailOf("PaymentCompleted").find("49.00 USD"), std::string::npos);
    // Paying again: enrolled already.
    EXPECT_EQ(call(port(), "POST", "/api/v1/payments/checkout-sessions", json{{"courseId", id}}, s).status, 409);
    // A second completion of the same payment changes nothing.
    ASSERT_EQ(call(port(), "POST", path + "/complete").status, 202);

    // Refund: only an admin; the simulator's notice revokes the enrollment.
    EXPECT_EQ(call(port(), "POST", "/api/v1/admin/payments/" + pid + "/refund", std::nullopt, s).status, 403);
    auto refunded = call(port(), "POST", "/api/v1/admin/payments/" + pid + "/refund", std::nullopt, *admin_);
    ASSERT_EQ(refunded.status, 202) << refunded.raw;
    EXPECT_TRUE(refunded.body["refundRequested"]);
    ASSERT_TRUE(eventually([&] { return enrollmentStatus(s, id) == "REVOKED"; }));
    EXPECT_EQ(paymentStatus(pid), "REFUNDED");
    ASSERT_TRUE(eventually([&] { return !mailOf("PaymentRefunded").empty(); }, std::chrono::seconds(90)));
    EXPECT_NE(mailOf("PaymentRefunded").find("was refunded"), std::string::npos);
    EXPECT_FALSE(call(port(), "GET", "/api/v1/courses/" + id, std::nullopt, s)
                     .body["sections"][0]["lectures"][0]
                     .contains("content"));
    EXPECT_EQ(
        count("SELECT count(*) FROM lms_events WHERE event_type = 'StudentEnrolled' AND data->>'courseId' = $1", {id}),
        1);
    // The admin's list: filtered by course, with totals.
    auto list = call(port(), "GET", "/api/v1/admin/payments?courseId=" + id, std::nullopt, *admin_);
    ASSERT_EQ(list.status, 200) << list.raw;
    EXPECT_EQ(list.body["meta"]["totalItems"], 1);
    ASSERT_EQ(list.body["totals"].size(), 1u);
    EXPECT_EQ(list.body["totals"][0],
              (json{{"currency", "USD"}, {"status", "REFUNDED"}, {"count", 1}, {"amount", 4900}}));
    auto bad = call(port(), "GET", "/api/v1/admin/payments?status=PAID&provider=paypal&courseId=x&from=yesterday",
                    std::nullopt, *admin_);
    EXPECT_EQ(bad.status, 422);
    EXPECT_EQ(bad.body["errors"].size(), 4u) << bad.raw;
}

TEST_F(Payments, ACheckoutIsRefusedForAFreeCourseOneOwnCourseAndBadInput) {
    const auto free = course(0);
    const auto s = student();
    EXPECT_EQ(call(port(), "POST", "/api/v1/payments/checkout-sessions", json{{"courseId", free["id"]}}, s).status, 409);
    const auto paid = course();
    EXPECT_EQ(call(port(), "POST", "/api/v1/payments/checkout-sessions", json{{"courseId", paid["id"]}}, *owner_).status,
              403);
    auto bad = call(port(), "POST", "/api/v1/payments/checkout-sessions",
                    json{{"courseId", "x"}, {"provider", "stripe"}}, s);
    EXPECT_EQ(bad.status, 422);
    EXPECT_EQ(bad.body["errors"].size(), 2u) << bad.raw;
    EXPECT_EQ(call(port(), "POST", "/api/v1/payments/checkout-sessions", json{{"courseId", newUuid()}}, s).status, 404);
    EXPECT_EQ(call(port(), "POST", "/api/v1/payments/checkout-sessions", json{{"courseId", paid["id"]}}).status, 401);
}

TEST_F(Payments, AStripeWebhookIsVerifiedOnTheRawBytesAndRefusedWhenAnythingIsOff) {
    const auto c = course();
    const auto s = student();
    const auto p = checkoutWith("stripe", idOf(s), c["id"]);
    const auto event = sessionCompleted(p, 4900, "usd");
    const std::string body = event.dump();
    const auto now = Clock::system().nowSeconds();
    const auto send = [&](const std::string& raw, const std::string& header) {
        return call(port(), "POST", "/api/v1/payments/webhooks/stripe", std::nullopt,
                    {{"Stripe-Signature", header}, {"Content-Type", "application/json"}}, raw);
    };
    std::string tampered = body;
    tampered[tampered.find("4900")] = '1';
    EXPECT_EQ(send(tampered, webhook::signStripe(body, kStripeNew, now)).status, 400) << "one byte changed";
    EXPECT_EQ(send(body, "").status, 400) << "no signature";
    EXPECT_EQ(send(body, webhook::signStripe(body, "whsec_someone_else", now)).status, 400) << "another secret";
    EXPECT_EQ(send(body, webhook::signStripe(body, kStripeNew, now - 3600)).status, 400) << "an hour old";
    EXPECT_EQ(send(body, "t=" + std::to_string(now) + ",v0=abc").status, 400);
    EXPECT_EQ(
        count("SELECT count(*) FROM lms_events WHERE stream_id LIKE 'webhook-stripe-%' AND data->>'paymentId' = $1",
              {p.id}),
        0)
        << "nothing refused was stored";
    // The old secret still works while it is rolled (both in LMS_STRIPE_WEBHOOK_SECRETS).
    auto ok = send(body, webhook::signStripe(body, kStripeOld, now));
    ASSERT_EQ(ok.status, 200) << ok.raw;
    EXPECT_EQ(ok.body["duplicate"], false);
    ASSERT_TRUE(eventually([&] { return enrollmentStatus(s, c["id"]) == "ACTIVE"; }));
    // A redelivery: 200, the same event, nothing new.
    auto again = send(body, webhook::signStripe(body, kStripeNew, now));
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body["duplicate"], true);
    // No customer data reached the store.
    EXPECT_EQ(count("SELECT count(*) FROM lms_events WHERE data::text LIKE '%stella@example.com%'", {}), 0);
    // An event type nobody acts on: 200, not stored.
    auto other = stripe(json{{"id", "evt_other_" + newUuid().substr(24)}, {"type", "customer.created"}, {"data", {}}});
    EXPECT_EQ(other.status, 200);
    EXPECT_EQ(other.body["processed"], false);
}

TEST_F(Payments, AHundredConcurrentDeliveriesOfOneCompletionMakeOneEnrollment) {
    const auto c = course();
    const auto s = student();
    const auto p = checkoutWith("stripe", idOf(s), c["id"]);
    const auto event = sessionCompleted(p, 4900, "usd");
    std::vector<int> statuses(100);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < statuses.size(); ++i) {
        threads.emplace_back([&, i] { statuses[i] = stripe(event).status; });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(std::count(statuses.begin(), statuses.end(), 200), 100);
    ASSERT_TRUE(eventually([&] { return enrollmentStatus(s, c["id"]) == "ACTIVE"; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(
        count("SELECT count(*) FROM lms_events WHERE stream_id LIKE 'webhook-stripe-%' AND data->>'paymentId' = $1",
              {p.id}),
        1);
    EXPECT_EQ(count("SELECT count(*) FROM lms_events WHERE event_type = 'PaymentCompleted' AND stream_id = $1",
                    {"payment-" + p.id}),
              1);
    EXPECT_EQ(count("SELECT count(*) FROM lms_events WHERE event_type = 'StudentEnrolled' AND data->>'courseId' = $1",
                    {std::string(c["id"])}),
              1);
}

TEST_F(Payments, AnotherAmountOrCurrencyIsFlaggedAndEnrollsNobody) {
    const auto c = course();
    const auto s = student();
    const auto p = checkoutWith("stripe", idOf(s), c["id"]);
    ASSERT_EQ(stripe(sessionCompleted(p, 4900, "eur")).status, 200);
    ASSERT_TRUE(eventually([&] { return paymentStatus(p.id) == "FLAGGED"; }));
    auto flagged = call(port(), "GET", "/api/v1/admin/payments?status=FLAGGED&courseId=" + std::string(c["id"]),
                        std::nullopt, *admin_);
    ASSERT_EQ(flagged.body["meta"]["totalItems"], 1);
    EXPECT_EQ(flagged.body["items"][0]["flagReason"], "currency_mismatch");
    EXPECT_EQ(flagged.body["items"][0]["paidCurrency"], "EUR");
    const auto q = checkoutWith("stripe", idOf(student()), c["id"]);
    ASSERT_EQ(stripe(sessionCompleted(q, 100, "usd")).status, 200);
    ASSERT_TRUE(eventually([&] { return paymentStatus(q.id) == "FLAGGED"; }));
    EXPECT_EQ(enrollmentStatus(s, c["id"]), "404");
    EXPECT_EQ(count("SELECT count(*) FROM lms_rm.enrollments WHERE course_id = $1::uuid", {std::string(c["id"])}), 0);
}

TEST_F(Payments, NoticesOutOfOrderEndInTheRightState) {
    const auto c = course();
    // A refund before its completion (naming the payment): refunded, never enrolled.
    const auto s1 = student();
    const auto p1 = checkoutWith("stripe", idOf(s1), c["id"]);
    ASSERT_EQ(stripe(chargeRefunded("pi_" + p1.id.substr(24), 4900, p1.id)).status, 200);
    ASSERT_EQ(stripe(sessionCompleted(p1, 4900, "usd")).status, 200);
    // A refund naming only its PaymentIntent, before the completion that makes it known: parked.
    const auto s2 = student();
    const auto p2 = checkoutWith("stripe", idOf(s2), c["id"]);
    const std::string intent2 = "pi_parked_" + p2.id.substr(24);
    ASSERT_EQ(stripe(chargeRefunded(intent2, 4900)).status, 200);
    ASSERT_EQ(stripe(sessionCompleted(p2, 4900, "usd", intent2)).status, 200);
    // A late expiry after the completion: still paid.
    const auto s3 = student();
    const auto p3 = checkoutWith("stripe", idOf(s3), c["id"]);
    ASSERT_EQ(stripe(sessionCompleted(p3, 4900, "usd")).status, 200);
    ASSERT_EQ(stripe(json{{"id", "evt_exp_" + p3.id.substr(24)},
                          {"type", "checkout.session.expired"},
                          {"data", {{"object", {{"id", p3.providerRef}, {"client_reference_id", p3.id}}}}}})
                  .status,
              200);

    ASSERT_TRUE(eventually([&] {
        return paymentStatus(p1.id) == "REFUNDED" && paymentStatus(p2.id) == "REFUNDED" &&
               enrollmentStatus(s3, c["id"]) == "ACTIVE";
    })) << paymentStatus(p1.id)
        << " " << paymentStatus(p2.id) << " " << enrollmentStatus(s3, c["id"]);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_NE(enrollmentStatus(s1, c["id"]), "ACTIVE");
    EXPECT_NE(enrollmentStatus(s2, c["id"]), "ACTIVE");
    EXPECT_EQ(paymentStatus(p3.id), "COMPLETED");
    EXPECT_EQ(count("SELECT count(*) FROM lms_parked_notices", {}), 0);
}

TEST_F(Payments, ARazorpayCaptureEnrollsAndARefundRevokes) {
    const auto c = course();
    const auto s = student();
    const auto p = checkoutWith("razorpay", idOf(s), c["id"]);
    const std::string payId = "pay_" + p.id.substr(24);
    const json payment{{"id", payId},         {"order_id", p.providerRef}, {"amount", 4900},
                       {"currency", "USD"},   {"status", "captured"},      {"notes", {{"paymentId", p.id}}},
                       {"amount_refunded", 0}};
    const json captured{{"event", "payment.captured"}, {"payload", {{"payment", {{"entity", payment}}}}}};
    const auto send = [&](const json& event, const std::string& eventId, const std::string& secret) {
        const std::string body = event.dump();
        return call(port(), "POST", "/api/v1/payments/webhooks/razorpay", std::nullopt,
                    {{"X-Razorpay-Signature", webhook::signRazorpay(body, secret)},
                     {"X-Razorpay-Event-Id", eventId},
                     {"Content-Type", "application/json"}},
                    body);
    };
    EXPECT_EQ(send(captured, "evt_rzp_1", "not the secret").status, 400);
    EXPECT_EQ(send(captured, "", kRazorpay).status, 400) << "no event id";
    ASSERT_EQ(send(captured, "evt_rzp_" + p.id.substr(24), kRazorpay).status, 200);
    ASSERT_TRUE(eventually([&] { return enrollmentStatus(s, c["id"]) == "ACTIVE"; }));
    json refundedPayment = payment;
    refundedPayment["amount_refunded"] = 4900;
    const json refund{
        {"event", "refund.processed"},
        {"payload",
         {{"refund", {{"entity", {{"id", "rfnd_1"}, {"payment_id", payId}, {"amount", 4900}, {"currency", "USD"}}}}},
          {"payment", {{"entity", refundedPayment}}}}}};
    ASSERT_EQ(send(refund, "evt_rzp_rf_" + p.id.substr(24), kRazorpay).status, 200);
    ASSERT_TRUE(eventually([&] { return enrollmentStatus(s, c["id"]) == "REVOKED"; }));
    EXPECT_FALSE(call(port(), "GET", "/api/v1/courses/" + std::string(c["id"]), std::nullopt, s)
                     .body["sections"][0]["lectures"][0]
                     .contains("content"));
}

TEST_F(Payments, AStripeFlowAgainstALocalStandInForStripesApi) {
    // A server whose provider is Stripe, its API base the stand-in's.
    auto stripeApi = test::ProviderStandIn::stripe("sk_test_standin");
    auto& standIn = *stripeApi;
    auto env = serverEnv();
    env["LMS_PAYMENT_PROVIDER"] = "stripe";
    env["LMS_STRIPE_SECRET_KEY"] = "sk_test_standin";
    env["LMS_STRIPE_API_BASE"] = standIn.base();
    env["LMS_PROVIDER_TIMEOUT_S"] = "2";
    test::LmsServer stripeServer(db_->url(), kSecret, env);
    const int at = stripeServer.port();
    const auto c = course(4900);
    const std::string id = c["id"];
    const auto s = student();
    auto made = call(at, "POST", "/api/v1/payments/checkout-sessions", json{{"courseId", id}}, s);
    ASSERT_EQ(made.status, 201) << made.raw;
    EXPECT_EQ(made.body["provider"], "stripe");
    const std::string pid = made.body["paymentId"];
    const auto calls = standIn.calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].path, "/v1/checkout/sessions");
    EXPECT_EQ(calls[0].idempotencyKey, "checkout-" + pid);
    EXPECT_EQ(calls[0].form.at("line_items[0][price_data][unit_amount]"), "4900") << "the course's price";
    EXPECT_EQ(calls[0].form.at("line_items[0][price_data][currency]"), "usd");
    EXPECT_EQ(calls[0].form.at("client_reference_id"), pid);
    EXPECT_EQ(calls[0].form.at("mode"), "payment");
    EXPECT_EQ(made.body["url"], "https://checkout.stripe.test/c/pay/" + std::string(made.body["providerRef"]));

    // Stripe's webhook of the completion (as it would send it), to the Stripe server's route.
    payments::PaymentRow row;
    row.id = pid;
    row.providerRef = made.body["providerRef"];
    const std::string intent = "pi_standin_" + pid.substr(24);
    ASSERT_EQ(stripe(sessionCompleted(row, 4900, "usd", intent), kStripeNew, 0, at).status, 200);
    ASSERT_TRUE(eventually([&] { return enrollmentStatus(s, id) == "ACTIVE"; }));

    // An admin's refund asks Stripe for it (the PaymentIntent); Stripe's notice revokes access.
    auto refund = call(at, "POST", "/api/v1/admin/payments/" + pid + "/refund", std::nullopt, *admin_);
    ASSERT_EQ(refund.status, 202) << refund.raw;
    const auto after = standIn.calls();
    ASSERT_EQ(after.size(), 2u);
    EXPECT_EQ(after[1].path, "/v1/refunds");
    EXPECT_EQ(after[1].form.at("payment_intent"), intent);
    EXPECT_EQ(after[1].idempotencyKey, "refund-" + pid);
    EXPECT_EQ(enrollmentStatus(s, id), "ACTIVE") << "until Stripe says it is refunded";
    ASSERT_EQ(stripe(chargeRefunded(intent, 4900), kStripeNew, 0, at).status, 200);
    ASSERT_TRUE(eventually([&] { return enrollmentStatus(s, id) == "REVOKED"; }));

    // Stripe not answering (within LMS_PROVIDER_TIMEOUT_S): 503, and no payment is recorded.
    standIn.stop();
    const auto other = student();
    auto down = call(at, "POST", "/api/v1/payments/checkout-sessions", json{{"courseId", id}}, other);
    EXPECT_EQ(down.status, 503) << down.raw;
    EXPECT_EQ(down.body["code"], "provider_unavailable");
    EXPECT_EQ(call(at, "GET", "/api/v1/payments/history", std::nullopt, other).body["meta"]["totalItems"], 0);
}

TEST_F(Payments, ARazorpayFlowAgainstALocalStandInForRazorpaysApi) {
    auto razorpayApi = test::ProviderStandIn::razorpay("rzp_test_standin", "standin_key_secret");
    auto env = serverEnv();
    env["LMS_PAYMENT_PROVIDER"] = "razorpay";
    env["LMS_RAZORPAY_KEY_ID"] = "rzp_test_standin";
    env["LMS_RAZORPAY_KEY_SECRET"] = "standin_key_secret";
    env["LMS_RAZORPAY_API_BASE"] = razorpayApi->base();
    test::LmsServer rzpServer(db_->url(), kSecret, env);
    const int at = rzpServer.port();
    const auto c = course(4900);
    const std::string id = c["id"];
    const auto s = student();
    auto made = call(at, "POST", "/api/v1/payments/checkout-sessions", json{{"courseId", id}}, s);
    ASSERT_EQ(made.status, 201) << made.raw;
    const std::string pid = made.body["paymentId"];
    const std::string order = made.body["providerRef"];
    const auto calls = razorpayApi->calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].path, "/v1/orders");
    EXPECT_EQ(calls[0].json["amount"], 4900);
    EXPECT_EQ(calls[0].json["currency"], "USD");
    EXPECT_EQ(calls[0].json["notes"]["paymentId"], pid);
    // Our page opens Razorpay's Checkout for the order, under a policy that lets its script run.
    const std::string url = made.body["url"];
    auto page = call(at, "GET", url.substr(url.find("/api/v1/")));
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.raw.find("\"order_id\":\"" + order + "\""), std::string::npos) << page.raw;
    EXPECT_NE(page.header("Content-Security-Policy").find("https://checkout.razorpay.com"), std::string::npos);
    EXPECT_EQ(call(at, "GET", "/api/v1/health").header("Content-Security-Policy"),
              "default-src 'none'; frame-ancestors 'none'")
        << "every other answer keeps the policy that allows nothing";
    // Razorpay's capture webhook, then an admin's refund through Razorpay's API and its webhook.
    const std::string payId = "pay_standin_" + pid.substr(24);
    const json payment{{"id", payId},
                       {"order_id", order},
                       {"amount", 4900},
                       {"currency", "USD"},
                       {"notes", {{"paymentId", pid}}},
                       {"amount_refunded", 0}};
    const auto send = [&](const json& event, const std::string& eventId) {
        const std::string body = event.dump();
        return call(at, "POST", "/api/v1/payments/webhooks/razorpay", std::nullopt,
                    {{"X-Razorpay-Signature", webhook::signRazorpay(body, kRazorpay)},
                     {"X-Razorpay-Event-Id", eventId},
                     {"Content-Type", "application/json"}},
                    body);
    };
    ASSERT_EQ(send({{"event", "payment.captured"}, {"payload", {{"payment", {{"entity", payment}}}}}},
                   "evt_c_" + pid.substr(24))
                  .status,
              200);
    ASSERT_TRUE(eventually([&] { return enrollmentStatus(s, id) == "ACTIVE"; }));
    auto refund = call(at, "POST", "/api/v1/admin/payments/" + pid + "/refund", std::nullopt, *admin_);
    ASSERT_EQ(refund.status, 202) << refund.raw;
    ASSERT_EQ(razorpayApi->calls().size(), 2u);
    EXPECT_EQ(razorpayApi->calls()[1].path, "/v1/payments/" + payId + "/refund");
    json refunded = payment;
    refunded["amount_refunded"] = 4900;
    ASSERT_EQ(send({{"event", "refund.processed"},
                    {"payload",
                     {{"refund",
                       {{"entity", {{"id", "rfnd_x"}, {"payment_id", payId}, {"amount", 4900}, {"currency", "USD"}}}}},
                      {"payment", {{"entity", refunded}}}}}},
                   "evt_r_" + pid.substr(24))
                  .status,
              200);
    ASSERT_TRUE(eventually([&] { return enrollmentStatus(s, id) == "REVOKED"; }));
}

TEST_F(Payments, ReplayRebuildsThePaymentsExactlyAsTheyAreLive) {
    // Something of every kind: completed, refunded, flagged, pending.
    const auto c = course();
    const auto paid = checkoutWith("stripe", idOf(student()), c["id"]);
    ASSERT_EQ(stripe(sessionCompleted(paid, 4900, "usd")).status, 200);
    const auto flagged = checkoutWith("stripe", idOf(student()), c["id"]);
    ASSERT_EQ(stripe(sessionCompleted(flagged, 4900, "eur")).status, 200);
    const auto refunded = checkoutWith("stripe", idOf(student()), c["id"]);
    ASSERT_EQ(stripe(chargeRefunded("pi_" + refunded.id.substr(24), 4900, refunded.id)).status, 200);
    checkoutWith("stripe", idOf(student()), c["id"]);
    ASSERT_TRUE(eventually([&] {
        return paymentStatus(paid.id) == "COMPLETED" && paymentStatus(flagged.id) == "FLAGGED" &&
               paymentStatus(refunded.id) == "REFUNDED";
    }));
    pg::Connection conn(db_->url());
    const auto live = test::dumpTable(conn, "lms_rm.payments", "payment_id") +
                      test::dumpTable(conn, "lms_rm.enrollments", "enrollment_id");
    auto [status, out] = test::runLms({"replay"}, server_->env());
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("payments:"), std::string::npos) << out;
    EXPECT_EQ(test::dumpTable(conn, "lms_rm.payments", "payment_id") +
                  test::dumpTable(conn, "lms_rm.enrollments", "enrollment_id"),
              live);
}

TEST(PaymentsCrash, ACrashBetweenTheAnswerAndTheProcessingLosesNothingAndDoublesNothing) {
    // A database of its own, and first a process without the workers: it answers the webhook
    // (the notice is stored) and nobody processes it; then it dies (kill -9).
    test::TestDatabase db;
    auto* apiOnly = new test::LmsServer(db.url(), kSecret, serverEnv(), {"--only", "api,projections"});
    const int port = apiOnly->port();
    const auto owner = test::signUp(port, "owner", "INSTRUCTOR", "Olga", "Owner");
    const auto admin = test::signUpAdmin(port, db.url(), kSecret);
    const auto s = test::signUp(port, "student", "STUDENT", "Stella", "Student");
    const std::string studentId = call(port, "GET", "/api/v1/users/me", std::nullopt, s).body["id"];
    const std::string courseId = test::publishedCourse(port, owner, admin, "Crash course", 4900)["id"];
    pg::Connection c(db.url());
    StandInProvider stripeStandIn("stripe");
    const auto p =
        payments::Commands(c, Clock::system()).checkout(studentId, courseId, stripeStandIn, {studentId, "", ""});
    ASSERT_TRUE(p.has_value());
    json event{{"id", "evt_crash_" + p->id.substr(24)},
               {"type", "checkout.session.completed"},
               {"data",
                {{"object",
                  {{"id", p->providerRef},
                   {"client_reference_id", p->id},
                   {"amount_total", 4900},
                   {"currency", "usd"},
                   {"payment_status", "paid"},
                   {"payment_intent", "pi_crash"}}}}}};
    const std::string body = event.dump();
    const auto answer = call(port, "POST", "/api/v1/payments/webhooks/stripe", std::nullopt,
                             {{"Stripe-Signature", webhook::signStripe(body, kStripeNew, Clock::system().nowSeconds())},
                              {"Content-Type", "application/json"}},
                             body);
    ASSERT_EQ(answer.status, 200) << answer.raw;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const std::string enrolled =
        "SELECT count(*) FROM lms_rm.enrollments WHERE course_id = $1::uuid AND status = 'ACTIVE'";
    EXPECT_EQ(c.query(enrolled, {courseId}).i64(0, 0), 0) << "nothing processed it yet";
    apiOnly->crash();
    delete apiOnly;
    // Restarted with every role: the stored notice is processed, once.
    {
        test::LmsServer full(db.url(), kSecret, serverEnv());
        EXPECT_TRUE(eventually([&] { return c.query(enrolled, {courseId}).i64(0, 0) == 1; }));
        full.crash();  // and again, right after processing
    }
    { test::LmsServer again(db.url(), kSecret, serverEnv()); }
    EXPECT_EQ(c.query(enrolled, {courseId}).i64(0, 0), 1);
    EXPECT_EQ(c.query("SELECT count(*) FROM lms_events WHERE event_type = 'StudentEnrolled' AND data->>'courseId' = $1",
                      {courseId})
                  .i64(0, 0),
              1);
    EXPECT_EQ(c.query("SELECT count(*) FROM lms_events WHERE event_type = 'PaymentCompleted' AND stream_id = $1",
                      {"payment-" + p->id})
                  .i64(0, 0),
              1);
}

}  // namespace
}  // namespace lms
