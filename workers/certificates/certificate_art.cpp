#include "workers/certificates/certificate_art.hpp"

#include <glib.h>

#include <string_view>
#include <utility>

namespace lms::certificates {

std::string ArtError::message() const {
    switch (kind) {
        case Kind::InvalidUtf8: return field + ": not valid UTF-8";
        case Kind::Empty: return field + ": empty";
        case Kind::TooLong: return field + ": too long";
    }
    return field;
}

namespace {

std::optional<ArtError> checkText(std::string_view field, const std::string& text, std::size_t maxBytes) {
    if (text.empty()) return ArtError{ArtError::Kind::Empty, std::string(field)};
    if (text.size() > maxBytes) return ArtError{ArtError::Kind::TooLong, std::string(field)};
    // With a length, g_utf8_validate refuses NUL bytes too: pango takes C strings.
    if (g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr) == FALSE)
        return ArtError{ArtError::Kind::InvalidUtf8, std::string(field)};
    return std::nullopt;
}

}  // namespace

std::optional<ArtError> checkArt(const CertificateArt& art) {
    const std::pair<std::string_view, const std::string*> texts[] = {{"studentName", &art.studentName},
                                                                     {"courseTitle", &art.courseTitle},
                                                                     {"issuedOn", &art.issuedOn},
                                                                     {"certificateId", &art.certificateId}};
    for (const auto& [field, text] : texts)
        if (auto bad = checkText(field, *text, kMaxTextBytes)) return bad;
    return checkText("verifyUrl", art.verifyUrl, kMaxVerifyUrlBytes);
}

}  // namespace lms::certificates
