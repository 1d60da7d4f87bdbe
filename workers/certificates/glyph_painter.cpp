#include "workers/certificates/glyph_painter.hpp"

#include <hb.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <vector>

#include "workers/certificates/pdf_writer.hpp"

namespace lms::certificates {
namespace {

constexpr std::string_view kEllipsis = "\u2026";

bool drawn(PangoGlyph glyph) { return glyph != PANGO_GLYPH_EMPTY && (glyph & PANGO_GLYPH_UNKNOWN_FLAG) == 0; }

bool isEllipsis(const PangoGlyphItem* run) {
    return (run->item->analysis.flags & PANGO_ANALYSIS_FLAG_IS_ELLIPSIS) != 0;
}

}  // namespace

// Where the text state is inside BT … ET: the font set by Tf, the origin set by Tm, and where the
// next glyph would go after the glyphs shown since (their widths from the fonts' /Widths).
struct GlyphPainter::Pen {
    const Type3Fonts* fonts = nullptr;
    int font = -1;
    double x = 0, y = 0;
    bool positioned = false;  // Tm set since BT
    bool inArray = false;     // inside "[… ] TJ"
    double size;
    double pageHeight;
};

void GlyphPainter::showLayout(std::string& content, PangoLayout* layout, double size, double x, double y,
                              double pageHeight, Type3Fonts& fonts, const Type3Fonts* reuse) {
    const char* text = pango_layout_get_text(layout);
    PangoLayoutLine* line = pango_layout_get_line_readonly(layout, 0);
    if (line == nullptr) return;

    // The text shown, in logical order: the runs sorted by where their text starts, an ellipsis
    // run standing for the text it hides.
    std::vector<const PangoGlyphItem*> logical;
    for (GSList* r = line->runs; r != nullptr; r = r->next) logical.push_back(static_cast<PangoGlyphItem*>(r->data));
    std::sort(logical.begin(), logical.end(),
              [](const PangoGlyphItem* a, const PangoGlyphItem* b) { return a->item->offset < b->item->offset; });
    actualText_.clear();
    bool rightToLeft = false;
    for (const PangoGlyphItem* run : logical) {
        rightToLeft = rightToLeft || (run->item->analysis.level & 1) != 0;
        if (isEllipsis(run)) actualText_ += kEllipsis;
        else actualText_.append(text + run->item->offset, static_cast<std::size_t>(run->item->length));
    }
    // Poppler lays an ActualText's characters out left to right over the span and then reorders
    // a right-to-left line as if they were in visual order: a line with right-to-left text would
    // come back reversed. Its glyphs' ToUnicode entries, in visual order as drawn, come back in
    // logical order (the tests), so such a line carries its text that way only.
    if (!rightToLeft) {
        content += "/Span << /ActualText <FEFF";
        appendUtf16Hex(content, actualText_);
        content += "> >> BDC\n";
    }
    content += "BT\n";

    Pen pen{.size = size, .pageHeight = pageHeight};
    PangoLayoutIter* iter = pango_layout_get_iter(layout);
    do {
        PangoLayoutRun* run = pango_layout_iter_get_run_readonly(iter);
        if (run == nullptr) continue;  // the end of a line
        PangoRectangle extents;
        pango_layout_iter_get_run_extents(iter, nullptr, &extents);
        showRun(content, pen, text, run, x + pango_units_to_double(extents.x),
                y + pango_units_to_double(pango_layout_iter_get_baseline(iter)), fonts, reuse);
    } while (pango_layout_iter_next_run(iter) != FALSE);
    pango_layout_iter_free(iter);
    if (pen.inArray) content += ">] TJ\n";
    content += rightToLeft ? "ET\n" : "ET\nEMC\n";
}

void GlyphPainter::showRun(std::string& content, Pen& pen, const char* text, PangoGlyphItem* run, double x,
                           double baseline, Type3Fonts& fonts, const Type3Fonts* reuse) {
    const PangoGlyphString* shaped = run->glyphs;
    hb_face_t* face = hb_font_get_face(pango_font_get_hb_font(run->item->analysis.font));

    // Each glyph's text: a cluster's text goes with its first glyph (in logical order), the
    // cluster's other glyphs stand for no text of their own.
    std::vector<std::string_view> texts(static_cast<std::size_t>(shaped->num_glyphs));
    if (isEllipsis(run)) {
        if (!texts.empty()) texts.front() = kEllipsis;
    } else {
        PangoGlyphItemIter cluster;
        if (pango_glyph_item_iter_init_start(&cluster, run, text) != FALSE) {
            do {
                const bool backward = cluster.start_glyph > cluster.end_glyph;
                const int step = backward ? -1 : 1;
                for (int i = cluster.start_glyph; i != cluster.end_glyph; i += step) {
                    if (!drawn(shaped->glyphs[i].glyph)) continue;
                    texts[static_cast<std::size_t>(i)] = std::string_view(
                        text + cluster.start_index, static_cast<std::size_t>(cluster.end_index - cluster.start_index));
                    break;
                }
            } while (pango_glyph_item_iter_next_cluster(&cluster) != FALSE);
        }
    }

    double advance = 0;
    for (int i = 0; i < shaped->num_glyphs; ++i) {
        const PangoGlyphInfo& g = shaped->glyphs[i];
        const double gx = x + pango_units_to_double(advance + g.geometry.x_offset);
        const double gy = pen.pageHeight - (baseline + pango_units_to_double(g.geometry.y_offset));
        advance += g.geometry.width;
        if (!drawn(g.glyph)) continue;
        const std::string_view glyphText = texts[static_cast<std::size_t>(i)];
        const Type3Fonts* set = &fonts;
        std::optional<GlyphCode> code = reuse != nullptr ? reuse->find(face, g.glyph, glyphText) : std::nullopt;
        if (code) {
            set = reuse;
        } else {
            code = fonts.code(face, g.glyph, glyphText, glyphs_.glyph(face, g.glyph));
        }

        if (set != pen.fonts || code->font != pen.font) {
            // Tf changes the font, not the text position: the glyphs go on from where the pen is.
            if (pen.inArray) content += ">] TJ\n";
            pen.inArray = false;
            set->appendName(content, code->font);
            content += ' ';
            appendNumber(content, pen.size);
            content += " Tf\n";
            pen.fonts = set;
            pen.font = code->font;
        }
        // A new origin when the glyph is off the baseline the pen is on (a mark placed above or
        // below) or too far from where the pen is for a kerning adjustment to read well;
        // otherwise a TJ adjustment where pango's advance differs from the font's width.
        const double shift = (pen.x - gx) * 1000 / pen.size;
        const bool shifted = std::abs(shift) >= 0.05;
        if (!pen.positioned || std::abs(gy - pen.y) > 0.005 || std::abs(shift) > 5000) {
            if (pen.inArray) content += ">] TJ\n";
            content += "1 0 0 1 ";
            appendNumber(content, gx);
            content += ' ';
            appendNumber(content, gy);
            content += " Tm [<";
            pen.inArray = pen.positioned = true;
            pen.x = gx;
            pen.y = gy;
        } else if (!pen.inArray) {
            content += '[';
            if (shifted) appendNumber(content, shift);
            content += '<';
            pen.inArray = true;
            pen.x = gx;
        } else if (shifted) {
            content += '>';
            appendNumber(content, shift);
            content += '<';
            pen.x = gx;
        }
        constexpr std::string_view kDigits = "0123456789ABCDEF";
        content += kDigits[code->code >> 4];
        content += kDigits[code->code & 0xF];
        pen.x += code->advance * pen.size / 1000;
    }
}

}  // namespace lms::certificates
