#pragma once
// Payment providers' webhook signatures: checked and made, as pure functions of the bytes, the
// secrets and the time (given as a value). Stripe signs `<t>.<payload>` with HMAC-SHA-256 under the
// endpoint secret and sends `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`; Razorpay sends
// `X-Razorpay-Signature: hex(HMAC-SHA-256(secret, body))`. Every comparison is constant-time.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lms::webhook {

// Why a Stripe-Signature header was refused, or that it was not.
enum class StripeVerdict {
    Accepted,
    MalformedHeader,            // not `key=value` items, no `t=` (or two), `t` not a decimal int64, too long
    NoV1Signature,              // parsed, but no `v1=` item (only v0, or a scheme we do not know)
    NoSignatureMatches,         // no v1 is the HMAC of `<t>.<payload>` under any of the secrets
    TimestampOutsideTolerance,  // authentic, but |now - t| > tolerance: a replay or a delivery too late
};

// Hostile input is refused before any HMAC: a longer header, or more v1 items, is MalformedHeader.
// Stripe's own headers are about 150 bytes with one v1 per active secret (two while rolling one).
constexpr std::size_t kMaxStripeHeaderBytes = 4096;
constexpr std::size_t kMaxStripeSignatures = 8;
constexpr std::int64_t kStripeDefaultToleranceSeconds = 300;  // stripe-python, -go and -node's default

// Checks a Stripe-Signature header against the raw request body. Any v1 matching any of the
// secrets accepts (several secrets while one is rolled); each secret is used as Stripe shows it,
// `whsec_` prefix included; an empty secret never matches. The signature is checked before the
// time, so TimestampOutsideTolerance is said only of a header that Stripe really signed. Unlike
// Stripe's libraries, which refuse only old timestamps, a timestamp more than the tolerance in the
// future is refused too: an authentic header is never replayable for longer than the tolerance
// after now, whatever clock skew put in it. Pass std::numeric_limits<std::int64_t>::max() to ignore
// the time (stripe-go's ValidatePayloadIgnoringTolerance); a negative tolerance refuses every time.
[[nodiscard]] StripeVerdict verifyStripe(std::string_view payload, std::string_view header,
                                         const std::vector<std::string>& secrets, std::int64_t nowSeconds,
                                         std::int64_t toleranceSeconds = kStripeDefaultToleranceSeconds);

// The header Stripe would send for payload signed at unixSeconds: `t=<unixSeconds>,v1=<hex>`.
std::string signStripe(std::string_view payload, std::string_view secret, std::int64_t unixSeconds);

// True when signatureHex is hex(HMAC-SHA-256(secret, body)) in lower case, as Razorpay sends it
// and as its own libraries compare it (upper case is refused). An empty secret never matches.
[[nodiscard]] bool verifyRazorpay(std::string_view body, std::string_view signatureHex, std::string_view secret);

// The X-Razorpay-Signature Razorpay would send for body: lower-case hex.
std::string signRazorpay(std::string_view body, std::string_view secret);

}  // namespace lms::webhook
