#pragma once
// Writes a PangoLayout's glyphs into a PDF content stream, where pango and HarfBuzz placed them
// (each glyph's advance and x and y offsets; a right-to-left run in visual order), in our Type 3
// fonts (type3_fonts.hpp) whose glyphs are the real fonts' outlines: one kind of font for every
// script, with nothing per document but the codes and the glyphs' cached bytes.
//
// The text goes with the glyphs twice, so that a PDF reader gives back what was typed: the line's
// text in logical order as the marked content's /ActualText, and each glyph's cluster text in its
// font's ToUnicode map.
//
// One painter per Typesetter: not for concurrent use.
#include <pango/pango.h>

#include <string>

#include "workers/certificates/glyph_cache.hpp"
#include "workers/certificates/type3_fonts.hpp"

namespace lms::certificates {

class GlyphPainter {
public:
    explicit GlyphPainter(GlyphCache& glyphs) : glyphs_(glyphs) {}

    // The layout with its top left corner at (x, y), y measured down from the top of a page of
    // the given height, at the layout's font size (in points), filled with the current colour.
    // Glyphs get their codes in fonts, or keep the code they have in reuse (the fixed part's
    // fonts), if given.
    void showLayout(std::string& content, PangoLayout* layout, double size, double x, double y, double pageHeight,
                    Type3Fonts& fonts, const Type3Fonts* reuse);

private:
    struct Pen;
    void showRun(std::string& content, Pen& pen, const char* text, PangoGlyphItem* run, double x, double baseline,
                 Type3Fonts& fonts, const Type3Fonts* reuse);

    GlyphCache& glyphs_;
    std::string actualText_;  // scratch
};

}  // namespace lms::certificates
