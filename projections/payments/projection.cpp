#include "projections/payments/projection.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/ids.hpp"
#include "domain/payments/events.hpp"

namespace lms::projections::payments {

namespace dp = domain::payments;
using domain::Overloaded;

std::string Payments::ddl() const {
    return R"sql(
CREATE TABLE payments (
    payment_id           uuid PRIMARY KEY,
    version              bigint NOT NULL,
    student_id           uuid NOT NULL,
    course_id            uuid NOT NULL,
    instructor_id        text NOT NULL,
    provider             text NOT NULL,
    provider_ref         text NOT NULL,
    provider_payment_id  text NOT NULL DEFAULT '',
    amount               bigint NOT NULL,
    currency             text NOT NULL,
    status               text NOT NULL,
    flag_reason          text NOT NULL DEFAULT '',
    paid_amount          bigint,
    paid_currency        text,
    refund_requested     boolean NOT NULL DEFAULT false,
    url                  text NOT NULL,
    expires_at           timestamptz NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    completed_at         timestamptz,
    refunded_at          timestamptz
);
CREATE INDEX payments_student ON payments (student_id, created_at DESC);
CREATE INDEX payments_ref ON payments (provider, provider_ref);
CREATE INDEX payments_provider_payment ON payments (provider, provider_payment_id) WHERE provider_payment_id <> '';
CREATE INDEX payments_created ON payments (created_at DESC);
)sql";
}

namespace {

void set(pg::Connection& c, const std::string& id, const std::string& version, const std::string& at,
         const std::string& assignments, pg::Params extra = {}) {
    pg::Params params{id, version, at};
    params.insert(params.end(), extra.begin(), extra.end());
    c.query("UPDATE payments SET version = $2, updated_at = $3, " + assignments +
                " WHERE payment_id = $1 AND version < $2",
            params);
}

}  // namespace

void Payments::apply(pg::Connection& c, const eventstore::RecordedEvent& r) {
    const auto id = dp::paymentOfStream(r.streamId);
    if (!id) return;
    if (!isUuid(id->value())) {
        spdlog::warn("payments projection: skipping {} of stream {}: not a payment id", r.type, r.streamId);
        return;
    }
    const domain::DomainEvent stored{r.type, r.schemaVersion, nlohmann::json::parse(r.data, nullptr, false)};
    const auto event = stored.data.is_object() ? dp::PaymentEvents::decode(stored) : std::nullopt;
    const std::string version = std::to_string(r.version);
    const std::string pid = id->value();
    if (!event) {
        c.query("UPDATE payments SET version = $2 WHERE payment_id = $1 AND version < $2", {pid, version});
        return;
    }
    const auto paid = [&](const dp::ProviderReport& rep) {
        return pg::Params{rep.providerPaymentId, std::to_string(rep.amount), rep.currency};
    };
    std::visit(
        Overloaded{
            [&](const dp::PaymentInitiated& e) {
                if (!isUuid(e.studentId) || !isUuid(e.courseId)) return;
                c.query(
                    "INSERT INTO payments (payment_id, version, student_id, course_id, instructor_id, provider, "
                    "provider_ref, amount, currency, status, url, expires_at, created_at, updated_at) "
                    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'PENDING', $10, to_timestamp($11::bigint / 1e6), $12, "
                    "$12) ON CONFLICT (payment_id) DO NOTHING",
                    {pid, version, e.studentId, e.courseId, e.instructorId, e.provider, e.providerRef,
                     std::to_string(e.amount), e.currency, e.url, std::to_string(e.expiresAt), eventTime(e.at, r)});
            },
            [&](const dp::PaymentCompleted& e) {
                set(c, pid, version, eventTime(e.at, r),
                    "status = CASE WHEN status = 'REFUNDED' THEN status ELSE 'COMPLETED' END, "
                    "provider_payment_id = $4, paid_amount = $5, paid_currency = $6, completed_at = $3",
                    paid(e.report));
            },
            [&](const dp::PaymentFlagged& e) {
                pg::Params p = paid(e.report);
                p.emplace_back(e.reason);
                set(c, pid, version, eventTime(e.at, r),
                    "status = CASE WHEN status = 'REFUNDED' THEN status ELSE 'FLAGGED' END, "
                    "provider_payment_id = $4, paid_amount = $5, paid_currency = $6, flag_reason = $7",
                    p);
            },
            [&](const dp::PaymentExpired& e) { set(c, pid, version, eventTime(e.at, r), "status = 'EXPIRED'"); },
            [&](const dp::PaymentFailed& e) { set(c, pid, version, eventTime(e.at, r), "status = 'FAILED'"); },
            [&](const dp::PaymentRefundRequested& e) {
                set(c, pid, version, eventTime(e.at, r), "refund_requested = true");
            },
            [&](const dp::PaymentRefunded& e) {
                set(c, pid, version, eventTime(e.at, r),
                    "status = 'REFUNDED', refunded_at = $3, "
                    "provider_payment_id = CASE WHEN $4 = '' THEN provider_payment_id ELSE $4 END",
                    {e.report.providerPaymentId});
            },
        },
        *event);
}

}  // namespace lms::projections::payments
