#include "common/webhook_signature.hpp"

#include <charconv>
#include <optional>

#include "common/secure.hpp"
#include "common/sha256.hpp"

namespace lms::webhook {
namespace {

struct StripeHeader {
    std::int64_t timestamp = 0;
    std::vector<std::string_view> v1;
};

// `t=<digits>` exactly once and any number of other `key=value` items, split on ',' and on the
// first '=' (stripe-go refuses an item without '=', and so do we; unknown keys such as v0 are
// skipped). Nothing when the header cannot be read that way.
std::optional<StripeHeader> parseStripeHeader(std::string_view header) {
    if (header.empty() || header.size() > kMaxStripeHeaderBytes) return std::nullopt;
    StripeHeader parsed;
    bool sawTimestamp = false;
    std::size_t start = 0;
    for (;;) {
        const auto comma = header.find(',', start);
        const auto item = header.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        const auto key = item.substr(0, eq);
        const auto value = item.substr(eq + 1);
        if (key == "t") {
            // Digits only (no sign, no space): from_chars alone would take a leading '-'.
            if (sawTimestamp || value.empty() || value.front() < '0' || value.front() > '9') return std::nullopt;
            const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed.timestamp);
            if (error != std::errc() || end != value.data() + value.size()) return std::nullopt;
            sawTimestamp = true;
        } else if (key == "v1") {
            if (parsed.v1.size() == kMaxStripeSignatures) return std::nullopt;
            parsed.v1.push_back(value);
        }
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    if (!sawTimestamp) return std::nullopt;
    return parsed;
}

// |a - b| without overflow: the difference of two int64 always fits in a uint64.
std::uint64_t distance(std::int64_t a, std::int64_t b) {
    const auto ua = static_cast<std::uint64_t>(a);
    const auto ub = static_cast<std::uint64_t>(b);
    return a >= b ? ua - ub : ub - ua;
}

std::string stripeV1(std::string_view payload, std::string_view secret, std::int64_t unixSeconds) {
    std::string signedPayload = std::to_string(unixSeconds);
    signedPayload += '.';
    signedPayload += payload;
    return toHex(hmacSha256(secret, signedPayload));
}

}  // namespace

StripeVerdict verifyStripe(std::string_view payload, std::string_view header, const std::vector<std::string>& secrets,
                           std::int64_t nowSeconds, std::int64_t toleranceSeconds) {
    const auto parsed = parseStripeHeader(header);
    if (!parsed) return StripeVerdict::MalformedHeader;
    if (parsed->v1.empty()) return StripeVerdict::NoV1Signature;
    bool matched = false;
    for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        // The timestamp is signed as Stripe's libraries print it, the parsed number: `t=017` signs "17.".
        const auto expected = stripeV1(payload, secret, parsed->timestamp);
        for (const auto signature : parsed->v1) matched = constantTimeEquals(expected, signature) || matched;
    }
    if (!matched) return StripeVerdict::NoSignatureMatches;
    if (toleranceSeconds < 0 || distance(nowSeconds, parsed->timestamp) > static_cast<std::uint64_t>(toleranceSeconds))
        return StripeVerdict::TimestampOutsideTolerance;
    return StripeVerdict::Accepted;
}

std::string signStripe(std::string_view payload, std::string_view secret, std::int64_t unixSeconds) {
    return "t=" + std::to_string(unixSeconds) + ",v1=" + stripeV1(payload, secret, unixSeconds);
}

bool verifyRazorpay(std::string_view body, std::string_view signatureHex, std::string_view secret) {
    if (secret.empty()) return false;
    return constantTimeEquals(signRazorpay(body, secret), signatureHex);
}

std::string signRazorpay(std::string_view body, std::string_view secret) { return toHex(hmacSha256(secret, body)); }

}  // namespace lms::webhook
