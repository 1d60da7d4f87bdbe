#pragma once
// The glyph procedures of our Type 3 fonts: each glyph's outline, as the real font draws it
// (HarfBuzz's hb_font_get_glyph_shape, read at the font's units per em so that no hinting
// touches it), in a glyph space of 1000 units per em, as the ready bytes of a PDF stream object
// ("<< /Length … /Filter /FlateDecode >> stream … endstream", deflated once). A document copies
// the bytes of the glyphs it shows; only the object number around them is its own.
//
// Bounded in bytes, so that memory does not grow with the names seen (all 65,535 glyphs of Noto
// Serif CJK are 54 MB): past the limit it is cleared, between documents (trim()), so that
// what a document holds stays valid while it is written. One per Typesetter: not thread-safe.
#include <hb.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "workers/certificates/pdf_writer.hpp"

namespace lms::certificates {

struct GlyphProc {
    std::string object;         // the stream object's body, without "n 0 obj"
    double advance = 0;         // the font's own advance, in 1/1000 em
    std::array<double, 4> box;  // llx, lly, urx, ury in 1/1000 em (all 0 for a blank glyph)
};

class GlyphCache {
public:
    static constexpr std::size_t kDefaultLimitBytes = std::size_t{8} << 20;

    explicit GlyphCache(std::size_t limitBytes = kDefaultLimitBytes);
    ~GlyphCache();
    GlyphCache(const GlyphCache&) = delete;
    GlyphCache& operator=(const GlyphCache&) = delete;

    // The glyph's procedure; the reference is valid until the next trim().
    const GlyphProc& glyph(hb_face_t* face, hb_codepoint_t glyph);
    // Between documents: clears the cache when it holds more than its limit.
    void trim();
    // What the glyphs hold: their bytes and a fixed estimate of each entry's bookkeeping.
    std::size_t bytes() const { return bytes_; }
    std::size_t glyphs() const { return glyphs_.size(); }
    std::size_t limitBytes() const { return limit_; }

private:
    struct Key {
        hb_face_t* face;
        hb_codepoint_t glyph;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const {
            return std::hash<const void*>()(k.face) ^ (std::size_t{k.glyph} * 0x9E3779B97F4A7C15ULL);
        }
    };

    GlyphProc make(hb_face_t* face, hb_codepoint_t glyph);
    hb_font_t* unscaled(hb_face_t* face);

    std::size_t limit_;
    std::size_t bytes_ = 0;
    std::unordered_map<Key, GlyphProc, KeyHash> glyphs_;
    // Each face at its units per em, holding a reference to the face (so that no other face can
    // take its address while it is a key): a handful, one per font face ever shown.
    std::unordered_map<hb_face_t*, hb_font_t*> fonts_;
    hb_draw_funcs_t* draw_;
    Deflater deflater_{9};  // each glyph is compressed once: take the smallest
    std::string path_;      // scratch
};

}  // namespace lms::certificates
