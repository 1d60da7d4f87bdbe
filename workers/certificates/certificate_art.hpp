#pragma once
// What a certificate shows, as the certificate worker hands it to the renderer: text already
// formatted for the student (the date in their language), plus the instant of issue, which only
// the PDF's metadata carries (so that the same certificate renders to the same bytes).
#include <chrono>
#include <optional>
#include <string>

namespace lms::certificates {

struct CertificateArt {
    std::string studentName;              // any script; a long one is shrunk, then ellipsized, to one line
    std::string courseTitle;              // the same
    std::string issuedOn;                 // the date as shown, e.g. "3 December 2026"
    std::string certificateId;            // e.g. "LMS-7K4Q-9XW2"
    std::string verifyUrl;                // shown, and encoded in the QR code
    std::chrono::sys_seconds issuedAt{};  // the PDF's CreationDate and ModDate
};

// Why an art cannot be rendered: an expected failure (a value), not an exception.
struct ArtError {
    enum class Kind { InvalidUtf8, Empty, TooLong };
    Kind kind;
    std::string field;  // "studentName", "courseTitle", "issuedOn", "certificateId" or "verifyUrl"

    std::string message() const;  // "studentName: not valid UTF-8"
};

// Bounds that keep one render's cost bounded; far above any real name or title.
inline constexpr std::size_t kMaxTextBytes = 4096;
// A QR code of version 40 at error correction M holds 2,331 bytes.
inline constexpr std::size_t kMaxVerifyUrlBytes = 2048;

// The first field that is empty, not UTF-8 (a NUL byte included) or too long, in the order of the
// struct; nothing when the art can be rendered.
std::optional<ArtError> checkArt(const CertificateArt& art);

}  // namespace lms::certificates
