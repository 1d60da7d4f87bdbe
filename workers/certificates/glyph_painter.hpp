#pragma once
// Draws a PangoLayout's glyphs into a cairo context, as pango_cairo_show_layout does (the text and
// its clusters go with the glyphs, so that the PDF's text can be extracted and searched), except
// for fonts with PostScript (CFF) outlines, Noto's CJK fonts: cairo's PDF surface copies and
// parses the whole CFF table (16 MB for Noto Sans CJK) again for every document that uses one,
// about 10 ms and 50 kB per certificate. Those are drawn through a Type 3 stand-in instead, a
// cairo user font whose glyphs are the real font's outlines: cairo keeps each glyph's outline
// across documents and writes only the glyphs a certificate uses. TrueType fonts (Latin, Arabic,
// Devanagari) are subset by cairo as usual, which is cheap.
//
// One painter per Typesetter: not for concurrent use. The stand-ins it makes are kept for its
// life (one per font face used, a handful).
#include <cairo.h>
#include <pango/pangocairo.h>

#include <unordered_map>
#include <vector>

namespace lms::certificates {

class GlyphPainter {
public:
    GlyphPainter();
    ~GlyphPainter();
    GlyphPainter(const GlyphPainter&) = delete;
    GlyphPainter& operator=(const GlyphPainter&) = delete;

    // The layout with its top left corner at (x, y), in the current source.
    void showLayout(cairo_t* cr, PangoLayout* layout, double x, double y);

private:
    void showRun(cairo_t* cr, const char* text, PangoGlyphItem* run, double x, double baseline);
    // The Type 3 stand-in for a face with CFF outlines, nullptr for any other face.
    cairo_font_face_t* standInFor(PangoFont* font, cairo_font_face_t* face);

    cairo_font_options_t* options_;
    std::unordered_map<cairo_font_face_t*, cairo_font_face_t*> standIns_;  // holds a reference to both
    std::vector<cairo_glyph_t> glyphs_;                                    // scratch, kept to spare allocations
    std::vector<cairo_text_cluster_t> clusters_;
};

}  // namespace lms::certificates
