#pragma once
// Reads of the payments read model (projection.hpp writes it). Every SELECT on it lives here.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/paging.hpp"
#include "eventstore/pg.hpp"

namespace lms::projections::payments {

struct PaymentRow {
    std::string id, studentId, courseId, instructorId, provider, providerRef, providerPaymentId;
    std::int64_t amount = 0;
    std::string currency, status, flagReason;
    std::optional<std::int64_t> paidAmount;
    std::optional<std::string> paidCurrency;
    bool refundRequested = false;
    std::string url, expiresAt, createdAt, updatedAt;
    std::optional<std::string> completedAt, refundedAt;
    std::int64_t version = 0;
    std::string courseTitle;  // the catalog's, shown beside it
};

struct PaymentFilter {
    std::optional<std::string> status, provider, courseId, from, to;  // from/to: RFC 3339, on created_at
};
// Per currency and status, over what a filter selects: what reconciliation adds up.
struct Total {
    std::string currency, status;
    std::int64_t count = 0, amount = 0;
};

std::optional<PaymentRow> findPayment(pg::Connection& c, const std::string& id);
std::optional<PaymentRow> paymentByRef(pg::Connection& c, const std::string& provider, const std::string& ref);
std::optional<PaymentRow> paymentByProviderPayment(pg::Connection& c, const std::string& provider,
                                                   const std::string& providerPaymentId);
Page<PaymentRow> historyOf(pg::Connection& c, const std::string& studentId, const PageRequest& page);
Page<PaymentRow> payments(pg::Connection& c, const PaymentFilter& filter, const PageRequest& page);
std::vector<Total> totals(pg::Connection& c, const PaymentFilter& filter);

}  // namespace lms::projections::payments
