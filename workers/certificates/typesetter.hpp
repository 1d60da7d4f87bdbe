#pragma once
// Lays out and writes one certificate page as a PDF of our own making (pdf_writer.hpp), with
// everything that is the same on every certificate made once: the font map and pango context
// (fontconfig's font sets), the fonts' descriptions, the fixed texts shaped once, and the fixed
// part of the PDF itself (catalog, page tree, the frame and fixed texts as one compressed content
// stream, their Type 3 fonts) as bytes every document starts with. What varies (name, course,
// date, id, URL) is set into layouts kept for reuse, so a render allocates no pango object; its
// glyphs go into a second content stream and fonts of the document's own.
//
// Not thread-safe (a PangoFontMap may not be used from two threads at once): one Typesetter is
// used by one thread at a time; CertificateRenderer keeps a pool of them.
#include <pango/pangocairo.h>

#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "workers/certificates/certificate_art.hpp"
#include "workers/certificates/glyph_cache.hpp"
#include "workers/certificates/glyph_painter.hpp"
#include "workers/certificates/pdf_writer.hpp"
#include "workers/certificates/type3_fonts.hpp"

namespace lms::certificates {

struct GObjectUnref {
    void operator()(void* object) const { g_object_unref(object); }
};
template <class T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;

struct FontDescriptionFree {
    void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
using FontDescriptionPtr = std::unique_ptr<PangoFontDescription, FontDescriptionFree>;

class Typesetter {
public:
    // Throws std::runtime_error when the Noto fonts are missing (fonts-noto-core). glyphCacheBytes
    // bounds the glyph procedures kept between documents (glyph_cache.hpp).
    explicit Typesetter(std::size_t glyphCacheBytes = GlyphCache::kDefaultLimitBytes);

    // The PDF of a checked art (checkArt). Throws std::runtime_error when zlib fails.
    std::string render(const CertificateArt& art);

    const GlyphCache& glyphCache() const { return glyphs_; }

private:
    // A line of text, its font and where it goes (the centre or the left edge of its box).
    struct Line {
        GObjectPtr<PangoLayout> layout;
        FontDescriptionPtr font;
        double x = 0, y = 0;  // top left, computed when the text is set
        double size = 0;      // the font's size in points, as set
    };

    Line fixedLine(double size, const char* text, double centerX, double top);
    Line variableLine();
    // Sets the text at the first size of the ladder at which it fits maxWidth, else at the last
    // size, ellipsized; then places it centred on centerX (or from left, when centerX < 0).
    void fit(Line& line, const std::string& text, std::span<const double> sizes, double maxWidth,
             PangoEllipsizeMode ellipsize);
    void place(Line& line, double centerX, double left, double middleY);
    // The objects every certificate starts with: catalog, pages, the fixed content and fonts.
    void writeFixedPart();

    GObjectPtr<PangoFontMap> fontMap_;
    GObjectPtr<PangoContext> context_;
    GlyphCache glyphs_;
    GlyphPainter painter_{glyphs_};
    Deflater deflater_;
    Line heading_, certifies_, completed_, issuedLabel_, idLabel_, verifyLabel_;
    Line name_, course_, issuedOn_, certificateId_, verifyUrl_;

    PdfWriter fixedPart_;  // the first bytes of every certificate
    Type3Fonts fixedFonts_{'F'};
    std::string fixedResources_;  // "/F0 6 0 R …"
    int catalog_ = 0, pages_ = 0, page_ = 0, fixedContent_ = 0;

    Type3Fonts documentFonts_{'V'};
    std::string content_;  // scratch: the variable content stream, before and after compression
    std::string compressed_;
};

}  // namespace lms::certificates
