#include "workers/certificates/type3_fonts.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace lms::certificates {
namespace {

constexpr std::size_t kCodesPerFont = 256;

void appendHexByte(std::string& out, unsigned value) {
    constexpr std::string_view kDigits = "0123456789ABCDEF";
    out += kDigits[(value >> 4) & 0xF];
    out += kDigits[value & 0xF];
}

// A glyph's name in its font: "g" and its code.
void appendGlyphName(std::string& out, std::size_t code) {
    out += "/g";
    appendInteger(out, static_cast<long long>(code));
}

// What a code means as text: the map from codes to UTF-16BE that text extraction reads.
void appendToUnicode(std::string& out, const std::vector<std::pair<std::size_t, std::string_view>>& mapped) {
    out +=
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<00> <FF>\nendcodespacerange\n";
    for (std::size_t from = 0; from < mapped.size(); from += 100) {  // at most 100 entries a block
        const std::size_t to = std::min(mapped.size(), from + 100);
        appendInteger(out, static_cast<long long>(to - from));
        out += " beginbfchar\n";
        for (std::size_t i = from; i < to; ++i) {
            out += '<';
            appendHexByte(out, static_cast<unsigned>(mapped[i].first));
            out += "> <";
            appendUtf16Hex(out, mapped[i].second);
            out += ">\n";
        }
        out += "endbfchar\n";
    }
    out += "endcmap\nCMapName currentdict /CMapResource defineresource pop\nend\nend\n";
}

}  // namespace

void Type3Fonts::key(std::string& out, hb_face_t* face, hb_codepoint_t glyph, std::string_view text) {
    out.resize(sizeof face + sizeof glyph);
    std::memcpy(out.data(), static_cast<const void*>(&face), sizeof face);
    std::memcpy(out.data() + sizeof face, &glyph, sizeof glyph);
    out += text;
}

std::optional<GlyphCode> Type3Fonts::find(hb_face_t* face, hb_codepoint_t glyph, std::string_view text) const {
    key(key_, face, glyph, text);
    if (auto known = codes_.find(key_); known != codes_.end()) return known->second;
    return std::nullopt;
}

GlyphCode Type3Fonts::code(hb_face_t* face, hb_codepoint_t glyph, std::string_view text, const GlyphProc& proc) {
    key(key_, face, glyph, text);
    if (auto known = codes_.find(key_); known != codes_.end()) return known->second;
    const std::size_t index = glyphs_.size();
    const GlyphCode made{static_cast<int>(index / kCodesPerFont), static_cast<unsigned char>(index % kCodesPerFont),
                         proc.advance};
    glyphs_.push_back({&proc, std::string(text)});
    codes_.emplace(key_, made);
    return made;
}

void Type3Fonts::clear() {
    codes_.clear();
    glyphs_.clear();
    fontObjects_.clear();
}

void Type3Fonts::appendName(std::string& out, int font) const {
    out += '/';
    out += prefix_;
    appendInteger(out, font);
}

void Type3Fonts::appendResources(std::string& out) const {
    for (std::size_t f = 0; f < fontObjects_.size(); ++f) {
        appendName(out, static_cast<int>(f));
        out += ' ';
        appendInteger(out, fontObjects_[f]);
        out += " 0 R ";
    }
}

void Type3Fonts::write(PdfWriter& pdf, Deflater* deflater) {
    fontObjects_.clear();
    std::vector<std::pair<std::size_t, std::string_view>> mapped;
    for (std::size_t first = 0; first < glyphs_.size(); first += kCodesPerFont) {
        const std::size_t count = std::min(kCodesPerFont, glyphs_.size() - first);
        const int font = pdf.reserve();
        const int toUnicode = pdf.reserve();
        fontObjects_.push_back(font);
        std::vector<int> procs(count);
        std::array<double, 4> box{0, 0, 0, 0};
        mapped.clear();
        for (std::size_t i = 0; i < count; ++i) {
            const Glyph& g = glyphs_[first + i];
            procs[i] = pdf.reserve();
            pdf.begin(procs[i]);
            pdf.bytes() += g.proc->object;
            pdf.end();
            box = {std::min(box[0], g.proc->box[0]), std::min(box[1], g.proc->box[1]), std::max(box[2], g.proc->box[2]),
                   std::max(box[3], g.proc->box[3])};
            if (!g.text.empty()) mapped.emplace_back(i, g.text);
        }

        pdf.begin(font);
        std::string& out = pdf.bytes();
        out += "<< /Type /Font /Subtype /Type3 /FontMatrix [0.001 0 0 0.001 0 0] /FontBBox [";
        for (std::size_t k = 0; k < box.size(); ++k) {
            if (k > 0) out += ' ';
            appendNumber(out, box[k]);
        }
        out += "] /Resources << >> /FirstChar 0 /LastChar ";
        appendInteger(out, static_cast<long long>(count - 1));
        out += "\n/Widths [";
        for (std::size_t i = 0; i < count; ++i) {
            if (i > 0) out += ' ';
            appendNumber(out, glyphs_[first + i].proc->advance);
        }
        out += "]\n/Encoding << /Type /Encoding /Differences [0";
        for (std::size_t i = 0; i < count; ++i) appendGlyphName(out, i);
        out += "] >>\n/CharProcs <<";
        for (std::size_t i = 0; i < count; ++i) {
            appendGlyphName(out, i);
            out += ' ';
            appendInteger(out, procs[i]);
            out += " 0 R";
        }
        out += " >>\n/ToUnicode ";
        appendInteger(out, toUnicode);
        out += " 0 R >>";
        pdf.end();

        scratch_.clear();
        appendToUnicode(scratch_, mapped);
        if (deflater != nullptr) {
            std::string compressed;
            deflater->compress(scratch_, compressed);
            pdf.stream(toUnicode, "/Filter /FlateDecode", compressed);
        } else {
            pdf.stream(toUnicode, "", scratch_);
        }
    }
}

}  // namespace lms::certificates
