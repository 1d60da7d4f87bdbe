#include "workers/certificates/glyph_cache.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lms::certificates {
namespace {

// What an entry costs besides its bytes: the map's node, the key, the string's header.
constexpr std::size_t kEntryOverhead = 96;

// The outline, scaled to 1000 units per em, as PDF path operators; the bounding box of its points
// (which holds the curves: they lie within their control points).
struct Outline {
    std::string* path;
    double scale;
    double minX = std::numeric_limits<double>::max(), minY = minX;
    double maxX = std::numeric_limits<double>::lowest(), maxY = maxX;

    // Whole units: 1/1000 em is 0.04 pt at 40 pt, far below what print or screen shows, and
    // "123" is shorter than "123.33" (the quadratic curves' control points are thirds).
    void point(float x, float y) {
        const double sx = std::round(x * scale), sy = std::round(y * scale);
        minX = std::min(minX, sx);
        minY = std::min(minY, sy);
        maxX = std::max(maxX, sx);
        maxY = std::max(maxY, sy);
        appendNumber(*path, sx);
        *path += ' ';
        appendNumber(*path, sy);
        *path += ' ';
    }
};

Outline& outlineOf(void* data) { return *static_cast<Outline*>(data); }

void moveTo(hb_draw_funcs_t*, void* data, hb_draw_state_t*, float x, float y, void*) {
    outlineOf(data).point(x, y);
    *outlineOf(data).path += "m\n";
}

void lineTo(hb_draw_funcs_t*, void* data, hb_draw_state_t*, float x, float y, void*) {
    outlineOf(data).point(x, y);
    *outlineOf(data).path += "l\n";
}

// TrueType's quadratic curves as the cubic curves PDF has: the same curve, exactly.
void quadraticTo(hb_draw_funcs_t*, void* data, hb_draw_state_t* state, float cx, float cy, float x, float y, void*) {
    Outline& o = outlineOf(data);
    o.point(state->current_x + 2.0F / 3.0F * (cx - state->current_x),
            state->current_y + 2.0F / 3.0F * (cy - state->current_y));
    o.point(x + 2.0F / 3.0F * (cx - x), y + 2.0F / 3.0F * (cy - y));
    o.point(x, y);
    *o.path += "c\n";
}

void cubicTo(hb_draw_funcs_t*, void* data, hb_draw_state_t*, float c1x, float c1y, float c2x, float c2y, float x,
             float y, void*) {
    Outline& o = outlineOf(data);
    o.point(c1x, c1y);
    o.point(c2x, c2y);
    o.point(x, y);
    *o.path += "c\n";
}

void closePath(hb_draw_funcs_t*, void* data, hb_draw_state_t*, void*) { *outlineOf(data).path += "h\n"; }

hb_draw_funcs_t* pdfPathFuncs() {
    hb_draw_funcs_t* funcs = hb_draw_funcs_create();
    hb_draw_funcs_set_move_to_func(funcs, moveTo, nullptr, nullptr);
    hb_draw_funcs_set_line_to_func(funcs, lineTo, nullptr, nullptr);
    hb_draw_funcs_set_quadratic_to_func(funcs, quadraticTo, nullptr, nullptr);
    hb_draw_funcs_set_cubic_to_func(funcs, cubicTo, nullptr, nullptr);
    hb_draw_funcs_set_close_path_func(funcs, closePath, nullptr, nullptr);
    hb_draw_funcs_make_immutable(funcs);
    return funcs;
}

}  // namespace

GlyphCache::GlyphCache(std::size_t limitBytes) : limit_(limitBytes), draw_(pdfPathFuncs()) {}

GlyphCache::~GlyphCache() {
    for (auto& [face, font] : fonts_) hb_font_destroy(font);
    hb_draw_funcs_destroy(draw_);
}

hb_font_t* GlyphCache::unscaled(hb_face_t* face) {
    if (auto known = fonts_.find(face); known != fonts_.end()) return known->second;
    hb_font_t* font = hb_font_create(face);  // its scale is the face's units per em: no hinting
    fonts_.emplace(face, font);
    return font;
}

const GlyphProc& GlyphCache::glyph(hb_face_t* face, hb_codepoint_t glyph) {
    const Key key{face, glyph};
    if (auto known = glyphs_.find(key); known != glyphs_.end()) return known->second;
    GlyphProc made = make(face, glyph);
    bytes_ += made.object.size() + kEntryOverhead;
    return glyphs_.emplace(key, std::move(made)).first->second;
}

void GlyphCache::trim() {
    if (bytes_ <= limit_) return;
    glyphs_ = {};  // and give back the buckets
    bytes_ = 0;
}

GlyphProc GlyphCache::make(hb_face_t* face, hb_codepoint_t glyph) {
    hb_font_t* font = unscaled(face);
    const double scale = 1000.0 / hb_face_get_upem(face);
    path_.clear();
    Outline outline{&path_, scale};
    hb_font_get_glyph_shape(font, glyph, draw_, &outline);

    GlyphProc proc;
    proc.advance = hb_font_get_glyph_h_advance(font, glyph) * scale;
    proc.box = path_.empty() ? std::array<double, 4>{0, 0, 0, 0}
                             : std::array<double, 4>{std::floor(outline.minX), std::floor(outline.minY),
                                                     std::ceil(outline.maxX), std::ceil(outline.maxY)};
    // d1: the glyph has no colour of its own; it is filled with the text's.
    std::string content;
    appendNumber(content, proc.advance);
    content += " 0";
    for (const double v : proc.box) {
        content += ' ';
        appendNumber(content, v);
    }
    content += " d1\n";
    if (!path_.empty()) {
        content += path_;
        content += "f\n";
    }
    std::string compressed;
    deflater_.compress(content, compressed);
    proc.object = "<< /Length ";
    appendInteger(proc.object, static_cast<long long>(compressed.size()));
    proc.object += " /Filter /FlateDecode >>\nstream\n";
    proc.object += compressed;
    proc.object += "\nendstream";
    proc.object.shrink_to_fit();
    return proc;
}

}  // namespace lms::certificates
