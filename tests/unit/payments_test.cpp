// The payment aggregate and the provider notices, given/when/then and by value. No I/O.
#include <gtest/gtest.h>

#include "domain/payments/notices.hpp"
#include "domain/payments/payment.hpp"
#include "tests/support/given_when_then.hpp"

namespace lms::domain::payments {
namespace {

using nlohmann::json;
using test::given;

constexpr std::int64_t kT0 = 1'795'000'000'000'000;

PaymentInitiated initiated() {
    return {PaymentId("p1"), "s1", "c1", "i1", "stripe", "cs_1", 4900, "USD", "https://pay", kT0 + 1, kT0};
}
DomainEvent initiatedEvent() { return PaymentEvents::encode(initiated()); }
RecordNotice notice(const std::string& kind, const std::string& eventId, std::int64_t amount = 4900,
                    const std::string& currency = "USD") {
    return {kind, {eventId, "pi_1", amount, currency}, kT0};
}
json report(const std::string& eventId, std::int64_t amount = 4900, const std::string& currency = "USD") {
    return {{"providerEventId", eventId}, {"providerPaymentId", "pi_1"}, {"amount", amount}, {"currency", currency}};
}
json with(json j, const char* k, json v) {
    j[k] = std::move(v);
    return j;
}

TEST(Payment, IsInitiatedOnceForAPaidCourseOfSomeoneElse) {
    given<Payment>({}).when(InitiatePayment{initiated()}).then({{"PaymentInitiated", initiated().toJson()}});
    given<Payment>({initiatedEvent()}).when(InitiatePayment{initiated()}).thenRefused("payment_exists");
    auto free = initiated();
    free.amount = 0;
    given<Payment>({}).when(InitiatePayment{free}).thenRefused("course_free");
    auto own = initiated();
    own.studentId = "i1";
    given<Payment>({}).when(InitiatePayment{own}).thenRefused("own_course");
}

TEST(Payment, ACompletionIsAppliedOnceWhateverTheRedeliveries) {
    given<Payment>({initiatedEvent()})
        .when(notice("completed", "evt_1"))
        .then({{"PaymentCompleted", with(report("evt_1"), "at", kT0)}})
        .when(notice("completed", "evt_1"))
        .then({})
        .when(notice("completed", "evt_2"))  // another notice of the same payment (async success)
        .then({});
}

TEST(Payment, AnotherCurrencyOrAmountIsFlagged) {
    given<Payment>({initiatedEvent()})
        .when(notice("completed", "evt_1", 4900, "EUR"))
        .then({{"PaymentFlagged", with(with(report("evt_1", 4900, "EUR"), "reason", "currency_mismatch"), "at", kT0)}})
        .when(notice("completed", "evt_2"))
        .then({});
    given<Payment>({initiatedEvent()})
        .when(notice("completed", "evt_1", 100))
        .then({{"PaymentFlagged", with(with(report("evt_1", 100), "reason", "amount_mismatch"), "at", kT0)}});
}

TEST(Payment, ARefundBeforeTheCompletionEndsRefunded) {
    auto s = Payment::initial();
    for (const auto& e : {initiatedEvent(), PaymentEvents::encode(PaymentRefunded{{"evt_r", "pi_1", 4900, "USD"}, kT0}),
                          PaymentEvents::encode(PaymentCompleted{{"evt_c", "pi_1", 4900, "USD"}, kT0})}) {
        s = Payment::evolve(s, e);
    }
    EXPECT_EQ(s.status, PaymentStatus::Refunded);
    EXPECT_TRUE(s.completed);
    given<Payment>({initiatedEvent()})
        .when(notice("refunded", "evt_r"))
        .then({{"PaymentRefunded", with(report("evt_r"), "at", kT0)}})
        .when(notice("completed", "evt_c"))
        .then({{"PaymentCompleted", with(report("evt_c"), "at", kT0)}})  // recorded: the provider said so
        .when(notice("refunded", "evt_r2"))
        .then({});
}

TEST(Payment, ALateExpiryOrFailureChangesNothingOnceCompleted) {
    given<Payment>({initiatedEvent()})
        .when(notice("completed", "evt_c"))
        .then({{"PaymentCompleted", with(report("evt_c"), "at", kT0)}})
        .when(notice("expired", "evt_x"))
        .then({})
        .when(notice("failed", "evt_f"))
        .then({});
    given<Payment>({initiatedEvent()})
        .when(notice("expired", "evt_x"))
        .then({{"PaymentExpired", {{"providerEventId", "evt_x"}, {"at", kT0}}}})
        // Paid after all (a late capture): still a completion.
        .when(notice("completed", "evt_c"))
        .then({{"PaymentCompleted", with(report("evt_c"), "at", kT0)}});
}

TEST(Payment, OnlyACompletedPaymentIsRefunded) {
    given<Payment>({initiatedEvent()}).when(RequestRefund{"re_1", kT0}).thenRefused("not_refundable");
    given<Payment>({}).when(RequestRefund{"re_1", kT0}).thenRefused("payment_not_found");
    given<Payment>({initiatedEvent(), PaymentEvents::encode(PaymentCompleted{{"evt_c", "pi_1", 4900, "USD"}, kT0})})
        .when(RequestRefund{"re_1", kT0})
        .then({{"PaymentRefundRequested", {{"refundRef", "re_1"}, {"at", kT0}}}});
}

TEST(Notices, StripeBodiesMeanWhatTheirTypeSays) {
    const json completed{{"id", "evt_1"},
                         {"type", "checkout.session.completed"},
                         {"created", 1700000000},
                         {"data",
                          {{"object",
                            {{"id", "cs_1"},
                             {"client_reference_id", "p1"},
                             {"amount_total", 4900},
                             {"currency", "usd"},
                             {"payment_status", "paid"},
                             {"payment_intent", "pi_1"},
                             {"customer_details", {{"email", "x@example.com"}}}}}}}};
    const auto n = stripeNotice(completed);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->kind, "completed");
    EXPECT_EQ(n->paymentId, "p1");
    EXPECT_EQ(n->providerRef, "cs_1");
    EXPECT_EQ(n->report.providerPaymentId, "pi_1");
    EXPECT_EQ(n->report.currency, "USD");
    EXPECT_EQ(n->report.amount, 4900);
    EXPECT_EQ(n->toJson().dump().find("x@example.com"), std::string::npos) << "no customer data";
    auto unpaid = completed;
    unpaid["data"]["object"]["payment_status"] = "unpaid";
    EXPECT_EQ(stripeNotice(unpaid)->kind, "ignored");
    auto partial =
        json{{"id", "evt_2"},
             {"type", "charge.refunded"},
             {"data", {{"object", {{"payment_intent", "pi_1"}, {"amount_refunded", 100}, {"refunded", false}}}}}};
    EXPECT_EQ(stripeNotice(partial)->kind, "ignored");
    partial["data"]["object"]["refunded"] = true;
    EXPECT_EQ(stripeNotice(partial)->kind, "refunded");
    EXPECT_FALSE(stripeNotice(json{{"type", "x"}}));
    EXPECT_FALSE(stripeNotice(json::array()));
    EXPECT_EQ(stripeNotice(json{{"id", "evt_3"}, {"type", "checkout.session.completed"}, {"data", 7}})->kind, "ignored");
}

TEST(Notices, RazorpayBodiesMeanWhatTheirEventSays) {
    const json payment{{"id", "pay_1"},     {"order_id", "order_1"},          {"amount", 4900},
                       {"currency", "INR"}, {"notes", {{"paymentId", "p1"}}}, {"amount_refunded", 0}};
    const auto n = razorpayNotice({{"event", "payment.captured"}, {"payload", {{"payment", {{"entity", payment}}}}}},
                                  "e1");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->kind, "completed");
    EXPECT_EQ(n->paymentId, "p1");
    EXPECT_EQ(n->providerRef, "order_1");
    EXPECT_EQ(n->report.providerEventId, "e1");
    auto partial = payment;
    partial["amount_refunded"] = 100;
    const json refund{{"event", "refund.processed"},
                      {"payload",
                       {{"refund", {{"entity", {{"payment_id", "pay_1"}, {"amount", 100}, {"currency", "INR"}}}}},
                        {"payment", {{"entity", partial}}}}}};
    EXPECT_EQ(razorpayNotice(refund, "e2")->kind, "ignored") << "a partial refund keeps access";
    auto whole = refund;
    whole["payload"]["payment"]["entity"]["amount_refunded"] = 4900;
    EXPECT_EQ(razorpayNotice(whole, "e3")->kind, "refunded");
    EXPECT_FALSE(razorpayNotice({{"event", "payment.captured"}}, ""));
}

TEST(Notices, AWebhookStreamIsMadeOnlyOfSafeIds) {
    EXPECT_EQ(webhookStream("stripe", "evt_1"), "webhook-stripe-evt_1");
    EXPECT_FALSE(webhookStream("stripe", ""));
    EXPECT_FALSE(webhookStream("stripe", std::string(101, 'a')));
    EXPECT_FALSE(webhookStream("stripe", "evt/../1"));
    EXPECT_FALSE(webhookStream("stripe", "evt 1"));
}

}  // namespace
}  // namespace lms::domain::payments
