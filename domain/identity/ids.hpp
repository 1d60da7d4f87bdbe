#pragma once
// The identity context's ids and stream names: a UserId cannot be passed where a SessionId is
// expected, and every stream name is made here, not by string concatenation at each use.
#include <optional>
#include <string>
#include <string_view>

#include "domain/core/categories.hpp"
#include "domain/core/named_type.hpp"

namespace lms::domain::identity {

using UserId = NamedType<std::string, struct UserIdTag>;
using SessionId = NamedType<std::string, struct SessionIdTag>;
using ResetId = NamedType<std::string, struct ResetIdTag>;

inline constexpr std::string_view kContext = "identity";
inline constexpr std::string_view kUserCategory = "user";        // user-<userId>: the User aggregate
inline constexpr std::string_view kSessionCategory = "session";  // session-<sessionId>: a sign-in session
inline constexpr StreamCategory kCategories[] = {{kUserCategory, kContext}, {kSessionCategory, kContext}};

// The purpose under which a password-reset token is derived from the server's secret and the
// reset's id (common/sha256.hpp deriveToken): the API stores its hash, the mailer mails it.
inline constexpr std::string_view kResetTokenPurpose = "password-reset";

inline std::string userStream(const UserId& id) { return std::string(kUserCategory) + "-" + id.value(); }
inline std::string sessionStream(const SessionId& id) { return std::string(kSessionCategory) + "-" + id.value(); }

// The id in a stream name of the category, or nothing when the stream is of another category.
inline std::optional<std::string> idInStream(std::string_view streamId, std::string_view category) {
    if (streamId.size() <= category.size() + 1 || streamId.substr(0, category.size()) != category ||
        streamId[category.size()] != '-') {
        return std::nullopt;
    }
    return std::string(streamId.substr(category.size() + 1));
}
inline std::optional<UserId> userOfStream(std::string_view streamId) {
    auto id = idInStream(streamId, kUserCategory);
    return id ? std::optional<UserId>(UserId(std::move(*id))) : std::nullopt;
}
inline std::optional<SessionId> sessionOfStream(std::string_view streamId) {
    auto id = idInStream(streamId, kSessionCategory);
    return id ? std::optional<SessionId>(SessionId(std::move(*id))) : std::nullopt;
}

}  // namespace lms::domain::identity
