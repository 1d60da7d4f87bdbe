#include "api/payments/routes.hpp"

#include <spdlog/spdlog.h>

#include "api/http/body.hpp"
#include "api/http/problem.hpp"
#include "common/html.hpp"
#include "api/http/query.hpp"
#include "common/ids.hpp"
#include "common/webhook_signature.hpp"
#include "domain/payments/notices.hpp"

namespace lms::payments {
namespace {

using api::signedIn;
using http::problem;
using http::Request;
using http::Response;
using nlohmann::json;
namespace q = projections::payments;

json paymentJson(const PaymentRow& p) {
    return json{{"id", p.id},
                {"courseId", p.courseId},
                {"course", {{"id", p.courseId}, {"title", p.courseTitle}}},
                {"studentId", p.studentId},
                {"provider", p.provider},
                {"providerRef", p.providerRef},
                {"amount", p.amount},
                {"currency", p.currency},
                {"status", p.status},
                {"flagReason", p.flagReason.empty() ? json(nullptr) : json(p.flagReason)},
                {"paidAmount", p.paidAmount ? json(*p.paidAmount) : json(nullptr)},
                {"paidCurrency", p.paidCurrency ? json(*p.paidCurrency) : json(nullptr)},
                {"refundRequested", p.refundRequested},
                {"url", p.url},
                {"expiresAt", p.expiresAt},
                {"createdAt", p.createdAt},
                {"completedAt", p.completedAt ? json(*p.completedAt) : json(nullptr)},
                {"refundedAt", p.refundedAt ? json(*p.refundedAt) : json(nullptr)}};
}

// A provider's verification failure: 400, nothing stored.
Response badSignature(const Request& req, const std::string& why) {
    return problem(400, "signature_invalid", why, req.requestId);
}

const char* why(webhook::StripeVerdict v) {
    switch (v) {
        case webhook::StripeVerdict::MalformedHeader: return "the Stripe-Signature header is malformed";
        case webhook::StripeVerdict::NoV1Signature: return "the Stripe-Signature header has no v1 signature";
        case webhook::StripeVerdict::NoSignatureMatches: return "no signature matches the body";
        case webhook::StripeVerdict::TimestampOutsideTolerance:
            return "the signature's timestamp is too old or too new";
        case webhook::StripeVerdict::Accepted: break;
    }
    return "accepted";
}

}  // namespace

Routes::Routes(api::Services& services) : services_(services), provider_(providerFrom(services.env.config)) {
    if (provider_->name() == "simulated") {
        spdlog::warn(
            "payments: the simulated provider is on (LMS_PAYMENT_PROVIDER=simulated): anyone with a "
            "checkout's URL can complete it, and no money moves");
    }
}

Commands Routes::commands(pg::Connection& c) const {
    return Commands(c, services_.env.clock, services_.env.config.checkoutTtlS);
}

Response Routes::checkout(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    auto body = http::parseObject(req.body);
    if (!body) return problem(400, "malformed_json", body.error(), req.requestId);
    http::Fields f(*body);
    const std::string courseId = f.required("courseId");
    const auto provider = f.optional("provider");
    if (!courseId.empty() && !isUuid(courseId)) f.errors.push_back({"courseId", "must be a course id"});
    if (provider && *provider != provider_->name())
        f.errors.push_back({"provider", "is not enabled here (" + provider_->name() + " is)"});
    if (!f.errors.empty()) return http::invalid(f.errors, req.requestId);
    auto conn = services_.pool.acquire();
    auto made = commands(*conn).checkout(p->userId, courseId, *provider_, http::metadataOf(req, p->userId));
    if (!made) {
        if (made.error().code == "provider_unavailable")
            return problem(503, "provider_unavailable", made.error().message, req.requestId);
        return http::fromDomain(made.error(), req.requestId);
    }
    json out = paymentJson(*made);
    out["sessionId"] = made->id;
    out["paymentId"] = made->id;
    auto res = http::json(201, out);
    res.headers.push_back({"Location", made->url});
    return res;
}

Response Routes::simulatedPage(Request& req) {
    auto conn = services_.pool.acquire();
    const auto p = q::findPayment(*conn, req.params["id"]);
    if (!p || p->provider != "simulated") return problem(404, "payment_not_found", "no such payment", req.requestId);
    const std::string base = "/api/v1/payments/simulated/" + p->id;
    const std::string amount = std::to_string(p->amount / 100) + "." + (p->amount % 100 < 10 ? "0" : "") +
                               std::to_string(p->amount % 100) + " " + p->currency;
    std::string html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Simulated checkout</title></head><body>"
        "<h1>Simulated checkout</h1><p>" +
        escapeHtml(p->courseTitle) + ": <strong>" + escapeHtml(amount) +
        "</strong></p><p>Status: " + escapeHtml(p->status) + "</p>";
    if (p->status == "PENDING") {
        html += "<form method=\"post\" action=\"" + base +
                "/complete\"><button>Pay</button></form>"
                "<form method=\"post\" action=\"" +
                base + "/cancel\"><button>Cancel</button></form>";
    }
    html += "<p>No money moves: this is the simulated provider (LMS_PAYMENT_PROVIDER=simulated).</p></body></html>";
    Response res{200, "text/html; charset=utf-8", html, {}};
    return res;
}

Response Routes::razorpayPage(Request& req) {
    auto conn = services_.pool.acquire();
    const auto p = q::findPayment(*conn, req.params["id"]);
    if (!p || p->provider != "razorpay") return problem(404, "payment_not_found", "no such payment", req.requestId);
    const auto& config = services_.env.config;
    // Razorpay's Checkout for the order, opened by its script; the nonce lets only our own
    // inline script run beside it.
    const std::string nonce = newUuid();
    const json options{{"key", config.razorpayKeyId},
                       {"order_id", p->providerRef},
                       {"amount", p->amount},
                       {"currency", p->currency},
                       {"name", "LMS"},
                       {"description", p->courseTitle},
                       {"notes", {{"paymentId", p->id}}},
                       {"callback_url", config.publicUrl + "/checkout/success?payment=" + p->id}};
    std::string script = options.dump();
    // Inside <script>, "</" would end it: JSON allows the slash escaped.
    for (std::size_t at = script.find("</"); at != std::string::npos; at = script.find("</", at + 3))
        script.replace(at, 2, "<\\/");
    const std::string html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Checkout</title></head><body>"
        "<h1>" +
        escapeHtml(p->courseTitle) + "</h1><p>Status: " + escapeHtml(p->status) +
        "</p>"
        "<button id=\"pay\">Pay</button>"
        "<script src=\"https://checkout.razorpay.com/v1/checkout.js\"></script>"
        "<script nonce=\"" +
        nonce + "\">var o=" + script +
        ";document.getElementById('pay').onclick=function(){new Razorpay(o).open();};</script></body></html>";
    Response res{200, "text/html; charset=utf-8", html, {}};
    res.headers.emplace_back("Content-Security-Policy",
                             "default-src 'none'; script-src https://checkout.razorpay.com 'nonce-" + nonce +
                                 "'; frame-src https://api.razorpay.com https://checkout.razorpay.com; "
                                 "connect-src https://api.razorpay.com https://lumberjack.razorpay.com; "
                                 "img-src https: data:; style-src 'unsafe-inline'; frame-ancestors 'none'");
    return res;
}

Response Routes::simulated(Request& req, const std::string& kind) {
    if (provider_->name() != "simulated")
        return problem(404, "payment_not_found", "the simulated provider is not enabled", req.requestId);
    auto conn = services_.pool.acquire();
    auto done = commands(*conn).simulate(req.params["id"], kind == "cancel" ? "expired" : "completed",
                                         http::metadataOf(req, "simulated-provider"), &services_.newStreams);
    if (!done) return http::fromDomain(done.error(), req.requestId);
    return http::json(202, json{{"paymentId", done->id},
                                {"notice", kind == "cancel" ? "expired" : "completed"},
                                {"message", "the notice is stored; the payment moves as it is processed"}});
}

Response Routes::received(const Request& req, const std::optional<WebhookReceived>& notice) {
    if (!notice) return problem(400, "malformed_event", "not a provider event (no id or type)", req.requestId);
    if (notice->kind == "ignored") return http::json(200, json{{"received", true}, {"processed", false}});
    if (!domain::payments::webhookStream(notice->provider, notice->report.providerEventId))
        return problem(400, "malformed_event", "the event id is not one this server stores", req.requestId);
    auto conn = services_.pool.acquire();
    const bool stored = commands(*conn).receive(*notice, http::metadataOf(req, notice->provider), &services_.newStreams);
    return http::json(200, json{{"received", true}, {"duplicate", !stored}});
}

Response Routes::stripeWebhook(Request& req) {
    const auto& config = services_.env.config;
    const auto verdict = webhook::verifyStripe(req.body, req.header("stripe-signature"), config.stripeWebhookSecrets,
                                               services_.env.clock.nowSeconds(), config.stripeToleranceS);
    if (verdict != webhook::StripeVerdict::Accepted) return badSignature(req, why(verdict));
    const auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return problem(400, "malformed_json", "the body is not a JSON object", req.requestId);
    return received(req, domain::payments::stripeNotice(body));
}

Response Routes::razorpayWebhook(Request& req) {
    if (!webhook::verifyRazorpay(req.body, req.header("x-razorpay-signature"),
                                 services_.env.config.razorpayWebhookSecret)) {
        return badSignature(req, "X-Razorpay-Signature does not match the body");
    }
    const auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return problem(400, "malformed_json", "the body is not a JSON object", req.requestId);
    return received(req, domain::payments::razorpayNotice(body, req.header("x-razorpay-event-id")));
}

Response Routes::history(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    http::Query query(req.query);
    const auto paging = query.paging();
    if (!query.errors.empty()) return http::invalid(query.errors, req.requestId, "the query has invalid parameters");
    auto conn = services_.pool.acquire();
    const auto found = q::historyOf(*conn, p->userId, paging);
    json items = json::array();
    for (const auto& x : found.items) items.push_back(paymentJson(x));
    return http::json(200, http::listBody(std::move(items), found.totalItems, paging));
}

Response Routes::adminList(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    if (auto refused = http::requireRole(*p, "ADMIN", req)) return *refused;
    http::Query query(req.query);
    const auto paging = query.paging();
    q::PaymentFilter filter;
    filter.status = query.oneOf("status", {"PENDING", "COMPLETED", "FLAGGED", "EXPIRED", "FAILED", "REFUNDED"});
    filter.provider = query.oneOf("provider", {"simulated", "stripe", "razorpay"});
    filter.courseId = query.text("courseId", 36);
    if (filter.courseId && !isUuid(*filter.courseId)) query.errors.push_back({"courseId", "must be a course id"});
    filter.from = query.text("from", 40);
    filter.to = query.text("to", 40);
    for (const auto& [name, value] : {std::pair{"from", filter.from}, std::pair{"to", filter.to}}) {
        if (value && (value->size() < 10 || value->find_first_not_of("0123456789-:.TZ+") != std::string::npos))
            query.errors.push_back({name, "must be an RFC 3339 date or time"});
    }
    if (!query.errors.empty()) return http::invalid(query.errors, req.requestId, "the query has invalid parameters");
    auto conn = services_.pool.acquire();
    pg::Transaction tx(*conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");  // the page and its totals agree
    const auto found = q::payments(*conn, filter, paging);
    json items = json::array();
    for (const auto& x : found.items) items.push_back(paymentJson(x));
    json body = http::listBody(std::move(items), found.totalItems, paging);
    json totals = json::array();
    for (const auto& t : q::totals(*conn, filter))
        totals.push_back({{"currency", t.currency}, {"status", t.status}, {"count", t.count}, {"amount", t.amount}});
    body["totals"] = std::move(totals);
    tx.commit();
    return http::json(200, body);
}

Response Routes::refund(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    if (auto refused = http::requireRole(*p, "ADMIN", req)) return *refused;
    const std::string id = req.params["id"];
    if (!isUuid(id)) return problem(404, "payment_not_found", "no such payment", req.requestId);
    auto conn = services_.pool.acquire();
    auto done = commands(*conn).requestRefund(id, *provider_, http::metadataOf(req, p->userId));
    if (!done) {
        if (done.error().code == "provider_unavailable")
            return problem(503, "provider_unavailable", done.error().message, req.requestId);
        return http::fromDomain(done.error(), req.requestId);
    }
    return http::json(202, paymentJson(*done));
}

void Routes::mount(http::Router& r) {
    r.add("POST", "/api/v1/payments/checkout-sessions", [this](Request& q) { return checkout(q); });
    r.add("GET", "/api/v1/payments/simulated/{id}", [this](Request& q) { return simulatedPage(q); });
    r.add("GET", "/api/v1/payments/razorpay/{id}", [this](Request& q) { return razorpayPage(q); });
    r.add("POST", "/api/v1/payments/simulated/{id}/complete", [this](Request& q) { return simulated(q, "complete"); });
    r.add("POST", "/api/v1/payments/simulated/{id}/cancel", [this](Request& q) { return simulated(q, "cancel"); });
    r.add("POST", "/api/v1/payments/webhooks/stripe", [this](Request& q) { return stripeWebhook(q); });
    r.add("POST", "/api/v1/payments/webhooks/razorpay", [this](Request& q) { return razorpayWebhook(q); });
    r.add("GET", "/api/v1/payments/history", [this](Request& q) { return history(q); });
    r.add("GET", "/api/v1/admin/payments", [this](Request& q) { return adminList(q); });
    r.add("POST", "/api/v1/admin/payments/{id}/refund", [this](Request& q) { return refund(q); });
}

}  // namespace lms::payments
