#pragma once
// The certificates context's stream names: one stream per certificate (certificate-<certId>),
// from its issue through its PDF's rendering, storage and mailing to a revocation or reissue.
#include <optional>
#include <string>
#include <string_view>

#include "domain/core/categories.hpp"

namespace lms::domain::certificates {

inline constexpr std::string_view kContext = "certificates";
inline constexpr std::string_view kCertificateCategory = "certificate";  // certificate-<certId>
inline constexpr StreamCategory kCategories[] = {{kCertificateCategory, kContext}};

inline std::string certificateStream(std::string_view certId) {
    return std::string(kCertificateCategory) + "-" + std::string(certId);
}

inline std::optional<std::string> certificateOfStream(std::string_view streamId) {
    const auto n = kCertificateCategory.size();
    if (streamId.size() <= n + 1 || streamId.substr(0, n) != kCertificateCategory || streamId[n] != '-')
        return std::nullopt;
    return std::string(streamId.substr(n + 1));
}

}  // namespace lms::domain::certificates
