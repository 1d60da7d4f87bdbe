#pragma once
// The certificate's PDF: one A4 landscape page with the student's name, the course, the date, the
// certificate id, the verification URL and its QR code (workers/certificates/README.md).
#include <memory>
#include <string>

#include "common/expected.hpp"
#include "workers/certificates/certificate_art.hpp"

namespace lms::certificates {

class Typesetter;

// Thread-safe: render() may be called from any number of threads at once. Each call borrows a
// Typesetter (pango's font map and context, the fixed texts laid out, which may not be shared
// between threads) from a pool and gives it back; the pool holds as many as were ever rendering
// at once, so one renderer for the whole process is the intended use.
class CertificateRenderer {
public:
    // Sets up the first typesetter, so that missing fonts fail here (std::runtime_error), not on
    // the first certificate.
    CertificateRenderer();
    ~CertificateRenderer();
    CertificateRenderer(const CertificateRenderer&) = delete;
    CertificateRenderer& operator=(const CertificateRenderer&) = delete;

    // The PDF's bytes: the same art renders to the same bytes (with the same fonts, pango and
    // HarfBuzz).
    // An art that checkArt refuses (empty, not UTF-8, too long) is an ArtError; a failure of
    // zlib (out of memory) is a std::runtime_error.
    expected<std::string, ArtError> render(const CertificateArt& art) const;

private:
    struct Pool;
    std::unique_ptr<Pool> pool_;
};

}  // namespace lms::certificates
