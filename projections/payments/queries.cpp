#include "projections/payments/queries.hpp"

#include "common/ids.hpp"
#include "projections/projection.hpp"

namespace lms::projections::payments {
namespace {

const std::string kColumns =
    "p.payment_id::text, p.student_id::text, p.course_id::text, p.instructor_id, p.provider, p.provider_ref, "
    "p.provider_payment_id, p.amount, p.currency, p.status, p.flag_reason, p.paid_amount, p.paid_currency, "
    "p.refund_requested, p.url, " +
    rfc3339("p.expires_at") + ", " + rfc3339("p.created_at") + ", " + rfc3339("p.updated_at") + ", " +
    rfc3339("p.completed_at") + ", " + rfc3339("p.refunded_at") + ", p.version, coalesce(c.title, '')";
constexpr const char* kFrom = " FROM lms_rm.payments p LEFT JOIN lms_rm.courses c ON c.course_id = p.course_id";

PaymentRow row(const pg::Result& r, int i) {
    PaymentRow out;
    out.id = r.str(i, 0);
    out.studentId = r.str(i, 1);
    out.courseId = r.str(i, 2);
    out.instructorId = r.str(i, 3);
    out.provider = r.str(i, 4);
    out.providerRef = r.str(i, 5);
    out.providerPaymentId = r.str(i, 6);
    out.amount = r.i64(i, 7);
    out.currency = r.str(i, 8);
    out.status = r.str(i, 9);
    out.flagReason = r.str(i, 10);
    if (!r.isNull(i, 11)) out.paidAmount = r.i64(i, 11);
    if (!r.isNull(i, 12)) out.paidCurrency = r.str(i, 12);
    out.refundRequested = r.str(i, 13) == "t";
    out.url = r.str(i, 14);
    out.expiresAt = r.str(i, 15);
    out.createdAt = r.str(i, 16);
    out.updatedAt = r.str(i, 17);
    if (!r.isNull(i, 18)) out.completedAt = r.str(i, 18);
    if (!r.isNull(i, 19)) out.refundedAt = r.str(i, 19);
    out.version = r.i64(i, 20);
    out.courseTitle = r.str(i, 21);
    return out;
}

std::optional<PaymentRow> one(pg::Connection& c, const std::string& where, const pg::Params& params) {
    const auto r = c.query("SELECT " + kColumns + kFrom + " WHERE " + where + " LIMIT 1", params);
    if (r.rows() == 0) return std::nullopt;
    return row(r, 0);
}

// The WHERE of a filter, its parameters appended to params.
std::string whereOf(const PaymentFilter& f, pg::Params& params) {
    std::string where = "true";
    const auto add = [&](const std::string& condition, const std::string& value) {
        params.emplace_back(value);
        where += " AND " + condition + std::to_string(params.size());
    };
    if (f.status) add("p.status = $", *f.status);
    if (f.provider) add("p.provider = $", *f.provider);
    if (f.courseId) {
        params.emplace_back(*f.courseId);
        where += " AND p.course_id = $" + std::to_string(params.size()) + "::uuid";
    }
    if (f.from) {
        params.emplace_back(*f.from);
        where += " AND p.created_at >= $" + std::to_string(params.size()) + "::timestamptz";
    }
    if (f.to) {
        params.emplace_back(*f.to);
        where += " AND p.created_at < $" + std::to_string(params.size()) + "::timestamptz";
    }
    return where;
}

}  // namespace

std::optional<PaymentRow> findPayment(pg::Connection& c, const std::string& id) {
    if (!isUuid(id)) return std::nullopt;
    return one(c, "p.payment_id = $1::uuid", {id});
}

std::optional<PaymentRow> paymentByRef(pg::Connection& c, const std::string& provider, const std::string& ref) {
    if (ref.empty()) return std::nullopt;
    return one(c, "p.provider = $1 AND p.provider_ref = $2", {provider, ref});
}

std::optional<PaymentRow> paymentByProviderPayment(pg::Connection& c, const std::string& provider,
                                                   const std::string& providerPaymentId) {
    if (providerPaymentId.empty()) return std::nullopt;
    return one(c, "p.provider = $1 AND p.provider_payment_id = $2", {provider, providerPaymentId});
}

Page<PaymentRow> historyOf(pg::Connection& c, const std::string& studentId, const PageRequest& request) {
    if (!isUuid(studentId)) return {};
    Page<PaymentRow> out;
    out.totalItems =
        c.query("SELECT count(*) FROM lms_rm.payments p WHERE p.student_id = $1::uuid", {studentId}).i64(0, 0);
    if (out.totalItems == 0) return out;
    const auto r =
        c.query("SELECT " + kColumns + kFrom +
                    " WHERE p.student_id = $1::uuid ORDER BY p.created_at DESC, p.payment_id LIMIT $2 OFFSET $3",
                {studentId, std::to_string(request.limit), std::to_string(request.offset())});
    for (int i = 0; i < r.rows(); ++i) out.items.push_back(row(r, i));
    return out;
}

Page<PaymentRow> payments(pg::Connection& c, const PaymentFilter& f, const PageRequest& request) {
    pg::Params params;
    const std::string where = whereOf(f, params);
    Page<PaymentRow> out;
    out.totalItems = c.query("SELECT count(*) FROM lms_rm.payments p WHERE " + where, params).i64(0, 0);
    if (out.totalItems == 0) return out;
    const auto n = params.size();
    params.emplace_back(std::to_string(request.limit));
    params.emplace_back(std::to_string(request.offset()));
    const auto r = c.query("SELECT " + kColumns + kFrom + " WHERE " + where +
                               " ORDER BY p.created_at DESC, p.payment_id LIMIT $" + std::to_string(n + 1) +
                               " OFFSET $" + std::to_string(n + 2),
                           params);
    for (int i = 0; i < r.rows(); ++i) out.items.push_back(row(r, i));
    return out;
}

std::vector<Total> totals(pg::Connection& c, const PaymentFilter& f) {
    pg::Params params;
    const std::string where = whereOf(f, params);
    const auto r = c.query(
        "SELECT p.currency, p.status, count(*), coalesce(sum(p.amount), 0)::bigint "
        "FROM lms_rm.payments p WHERE " +
            where + " GROUP BY p.currency, p.status ORDER BY p.currency, p.status",
        params);
    std::vector<Total> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back({r.str(i, 0), r.str(i, 1), r.i64(i, 2), r.i64(i, 3)});
    return out;
}

}  // namespace lms::projections::payments
