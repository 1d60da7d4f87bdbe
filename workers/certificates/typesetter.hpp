#pragma once
// Lays out and draws one certificate page into a PDF, with everything that is the same on every
// certificate made once: the font map and pango context (fontconfig's font sets), the fonts'
// descriptions, the frame and the fixed texts, shaped once into layouts whose glyphs are only
// replayed. What varies (name, course, date, id, URL) is set into layouts kept for reuse, so a
// render allocates no pango object.
//
// Not thread-safe (a PangoFontMap may not be used from two threads at once): one Typesetter is
// used by one thread at a time; CertificateRenderer keeps a pool of them.
#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <span>
#include <string>

#include "workers/certificates/certificate_art.hpp"
#include "workers/certificates/glyph_painter.hpp"

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
    // Throws std::runtime_error when the Noto fonts are missing (fonts-noto-core).
    Typesetter();

    // The PDF of a checked art (checkArt). Throws std::runtime_error when cairo fails.
    std::string render(const CertificateArt& art);

private:
    // A line of text, its font and where it goes (the centre or the left edge of its box).
    struct Line {
        GObjectPtr<PangoLayout> layout;
        FontDescriptionPtr font;
        double x = 0, y = 0;  // top left, computed when the text is set
    };

    Line fixedLine(double size, const char* text, double centerX, double top);
    Line variableLine();
    // Sets the text at the first size of the ladder at which it fits maxWidth, else at the last
    // size, ellipsized; then places it centred on centerX (or from left, when centerX < 0).
    void fit(Line& line, const std::string& text, std::span<const double> sizes, double maxWidth,
             PangoEllipsizeMode ellipsize);
    void place(Line& line, double centerX, double left, double middleY);
    void drawPage(cairo_t* cr, const CertificateArt& art);

    GObjectPtr<PangoFontMap> fontMap_;
    GObjectPtr<PangoContext> context_;
    GlyphPainter painter_;
    Line heading_, certifies_, completed_, issuedLabel_, idLabel_, verifyLabel_;
    Line name_, course_, issuedOn_, certificateId_, verifyUrl_;
};

}  // namespace lms::certificates
