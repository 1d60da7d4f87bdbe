#pragma once
// The Type 3 fonts of one PDF: every glyph shown gets a one-byte code, 256 to a font, in the order
// the glyphs are first shown, so the same page gives the same codes. A code stands for a glyph of
// a face together with the text of its cluster (the same glyph can stand for other text, e.g. a
// ligature's parts), which is what the font's ToUnicode map says of it. Each font is written with
// its /Widths (the font's own advances), /Encoding /Differences, /CharProcs (the cached glyph
// streams), /FontBBox and /ToUnicode.
//
// The fixed part's fonts are made once, at set-up; each document has fonts of its own for what
// only it shows (its "/V" fonts), and reuses a fixed font's code for a glyph the fixed part has.
#include <hb.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "workers/certificates/glyph_cache.hpp"
#include "workers/certificates/pdf_writer.hpp"

namespace lms::certificates {

struct GlyphCode {
    int font;            // the font's index in its set
    unsigned char code;  // the byte shown
    double advance;      // the width of the code in its font, 1/1000 em
};

class Type3Fonts {
public:
    // Fonts named "/<prefix>0", "/<prefix>1", … in the page's resources.
    explicit Type3Fonts(char prefix) : prefix_(prefix) {}

    // The code of the glyph, given one when it has none yet. proc must stay valid until write().
    GlyphCode code(hb_face_t* face, hb_codepoint_t glyph, std::string_view text, const GlyphProc& proc);
    std::optional<GlyphCode> find(hb_face_t* face, hb_codepoint_t glyph, std::string_view text) const;

    // Writes the fonts and their glyph procedures into the PDF; deflater, if given, compresses the
    // ToUnicode maps. Then the page can name them (appendResources).
    void write(PdfWriter& pdf, Deflater* deflater);
    // "/V0 12 0 R /V1 …", for the page's /Font resources (after write()).
    void appendResources(std::string& out) const;
    void appendName(std::string& out, int font) const;

    // Forgets every code, for the next document (keeps its memory).
    void clear();

private:
    struct Glyph {
        const GlyphProc* proc;
        std::string text;
    };
    static void key(std::string& out, hb_face_t* face, hb_codepoint_t glyph, std::string_view text);

    char prefix_;
    std::unordered_map<std::string, GlyphCode> codes_;
    std::vector<Glyph> glyphs_;     // in the order of their codes: font i has glyphs_[256 i …]
    std::vector<int> fontObjects_;  // after write()
    mutable std::string key_;       // scratch
    std::string scratch_;
};

}  // namespace lms::certificates
