#include "workers/certificates/glyph_painter.hpp"

#include <hb.h>
#include <pango/pango.h>

#include <string_view>

namespace lms::certificates {
namespace {

// The stand-in's user data: the real face whose outlines it draws.
const cairo_user_data_key_t kRealFace{};

cairo_font_options_t* unhintedOptions() {
    cairo_font_options_t* options = cairo_font_options_create();
    // Outlines and advances as designed: the same on every machine, and what a PDF wants.
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    return options;
}

cairo_font_face_t* realFaceOf(cairo_scaled_font_t* standIn) {
    return static_cast<cairo_font_face_t*>(
        cairo_font_face_get_user_data(cairo_scaled_font_get_font_face(standIn), &kRealFace));
}

// The stand-in's glyph space is one em per unit, like the real font at size 1.
cairo_status_t initStandIn(cairo_scaled_font_t* standIn, cairo_t* /*cr*/, cairo_font_extents_t* extents) {
    cairo_matrix_t unit, identity;
    cairo_matrix_init_identity(&unit);
    cairo_matrix_init_identity(&identity);
    cairo_font_options_t* options = unhintedOptions();
    cairo_scaled_font_t* real = cairo_scaled_font_create(realFaceOf(standIn), &unit, &identity, options);
    cairo_scaled_font_extents(real, extents);
    const cairo_status_t status = cairo_scaled_font_status(real);
    cairo_scaled_font_destroy(real);
    cairo_font_options_destroy(options);
    return status;
}

cairo_status_t renderStandInGlyph(cairo_scaled_font_t* standIn, unsigned long glyph, cairo_t* cr,
                                  cairo_text_extents_t* extents) {
    cairo_set_font_face(cr, realFaceOf(standIn));
    cairo_set_font_size(cr, 1.0);
    cairo_font_options_t* options = unhintedOptions();
    cairo_set_font_options(cr, options);
    cairo_font_options_destroy(options);
    const cairo_glyph_t outline{glyph, 0, 0};
    cairo_glyph_path(cr, &outline, 1);
    cairo_fill(cr);
    cairo_glyph_extents(cr, &outline, 1, extents);
    return cairo_status(cr);
}

bool hasCffOutlines(PangoFont* font) {
    hb_font_t* hb = pango_font_get_hb_font(font);
    if (hb == nullptr) return false;
    hb_blob_t* cff = hb_face_reference_table(hb_font_get_face(hb), HB_TAG('C', 'F', 'F', ' '));
    const bool found = hb_blob_get_length(cff) > 0;
    hb_blob_destroy(cff);
    return found;
}

bool drawn(PangoGlyph glyph) { return glyph != PANGO_GLYPH_EMPTY && (glyph & PANGO_GLYPH_UNKNOWN_FLAG) == 0; }

}  // namespace

GlyphPainter::GlyphPainter() : options_(unhintedOptions()) {}

GlyphPainter::~GlyphPainter() {
    for (auto& [real, standIn] : standIns_) {
        if (standIn != nullptr) cairo_font_face_destroy(standIn);
        cairo_font_face_destroy(real);
    }
    cairo_font_options_destroy(options_);
}

cairo_font_face_t* GlyphPainter::standInFor(PangoFont* font, cairo_font_face_t* face) {
    if (auto known = standIns_.find(face); known != standIns_.end()) return known->second;
    cairo_font_face_t* standIn = nullptr;
    if (hasCffOutlines(font)) {
        standIn = cairo_user_font_face_create();
        cairo_user_font_face_set_init_func(standIn, initStandIn);
        cairo_user_font_face_set_render_glyph_func(standIn, renderStandInGlyph);
        cairo_font_face_set_user_data(standIn, &kRealFace, cairo_font_face_reference(face),
                                      reinterpret_cast<cairo_destroy_func_t>(cairo_font_face_destroy));
    }
    standIns_.emplace(cairo_font_face_reference(face), standIn);
    return standIn;
}

void GlyphPainter::showLayout(cairo_t* cr, PangoLayout* layout, double x, double y) {
    const char* text = pango_layout_get_text(layout);
    PangoLayoutIter* iter = pango_layout_get_iter(layout);
    do {
        PangoLayoutRun* run = pango_layout_iter_get_run_readonly(iter);
        if (run == nullptr) continue;  // the end of a line
        PangoRectangle logical;
        pango_layout_iter_get_run_extents(iter, nullptr, &logical);
        showRun(cr, text, run, x + pango_units_to_double(logical.x),
                y + pango_units_to_double(pango_layout_iter_get_baseline(iter)));
    } while (pango_layout_iter_next_run(iter) != FALSE);
    pango_layout_iter_free(iter);
}

void GlyphPainter::showRun(cairo_t* cr, const char* text, PangoGlyphItem* run, double x, double baseline) {
    const PangoGlyphString* shaped = run->glyphs;
    glyphs_.clear();
    clusters_.clear();
    double advance = 0;
    for (int i = 0; i < shaped->num_glyphs; ++i) {
        const PangoGlyphInfo& g = shaped->glyphs[i];
        if (drawn(g.glyph))
            glyphs_.push_back({g.glyph, x + pango_units_to_double(advance + g.geometry.x_offset),
                               baseline + pango_units_to_double(g.geometry.y_offset)});
        advance += g.geometry.width;
    }
    if (glyphs_.empty()) return;

    PangoFont* font = run->item->analysis.font;
    cairo_scaled_font_t* scaled = pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(font));
    if (cairo_font_face_t* standIn = standInFor(font, cairo_scaled_font_get_font_face(scaled))) {
        cairo_matrix_t size;
        cairo_scaled_font_get_font_matrix(scaled, &size);
        cairo_set_font_face(cr, standIn);
        cairo_set_font_matrix(cr, &size);
        cairo_set_font_options(cr, options_);
    } else {
        cairo_set_scaled_font(cr, scaled);
    }

    if ((run->item->analysis.flags & PANGO_ANALYSIS_FLAG_IS_ELLIPSIS) != 0) {
        // The ellipsis stands for the text left out; its text is the ellipsis, not what it hides.
        constexpr std::string_view kEllipsis = "\u2026";
        clusters_.push_back({static_cast<int>(kEllipsis.size()), static_cast<int>(glyphs_.size())});
        cairo_show_text_glyphs(cr, kEllipsis.data(), static_cast<int>(kEllipsis.size()), glyphs_.data(),
                               static_cast<int>(glyphs_.size()), clusters_.data(), 1, cairo_text_cluster_flags_t{});
        return;
    }
    // The clusters in logical order; a right-to-left run's glyphs are in visual order, so its
    // first cluster maps the last glyphs (cairo's BACKWARD flag).
    const bool backward = (run->item->analysis.level & 1) != 0;
    PangoGlyphItemIter cluster;
    if (pango_glyph_item_iter_init_start(&cluster, run, text) != FALSE) {
        do {
            int count = 0;
            const int from = backward ? cluster.end_glyph + 1 : cluster.start_glyph;
            const int to = backward ? cluster.start_glyph + 1 : cluster.end_glyph;
            for (int i = from; i < to; ++i) count += drawn(shaped->glyphs[i].glyph) ? 1 : 0;
            clusters_.push_back({cluster.end_index - cluster.start_index, count});
        } while (pango_glyph_item_iter_next_cluster(&cluster) != FALSE);
    }
    cairo_show_text_glyphs(cr, text + run->item->offset, run->item->length, glyphs_.data(),
                           static_cast<int>(glyphs_.size()), clusters_.data(), static_cast<int>(clusters_.size()),
                           backward ? CAIRO_TEXT_CLUSTER_FLAG_BACKWARD : cairo_text_cluster_flags_t{});
}

}  // namespace lms::certificates
