// The pieces of the certificate's PDF writer on their own: the numbers it prints, the
// cross-reference table's offsets, and the glyph cache's bound in bytes (a cache fed with
// thousands of distinct CJK ideographs, as years of names would feed it, stays under its limit).
#include <gtest/gtest.h>
#include <hb.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "workers/certificates/glyph_cache.hpp"
#include "workers/certificates/pdf_writer.hpp"

namespace lms::certificates {
namespace {

std::string number(double v) {
    std::string out;
    appendNumber(out, v);
    return out;
}

TEST(PdfWriter, PrintsNumbersFixedPointWithAtMostTwoDecimals) {
    EXPECT_EQ(number(0), "0");
    EXPECT_EQ(number(12), "12");
    EXPECT_EQ(number(-3.5), "-3.5");
    EXPECT_EQ(number(0.25), "0.25");
    EXPECT_EQ(number(841.89), "841.89");
    EXPECT_EQ(number(1.005001), "1.01");  // rounded, not cut
    EXPECT_EQ(number(-0.001), "0");       // no "-0"
    EXPECT_EQ(number(123456.789), "123456.79");
}

TEST(PdfWriter, WritesTextStringsAsPdfWants) {
    std::string literal, utf16;
    appendTextString(literal, "Certificate (LMS) a\\b");
    EXPECT_EQ(literal, "(Certificate \\(LMS\\) a\\\\b)");
    appendTextString(utf16, "Zoë 李 \xF0\x9F\x98\x80");  // a letter, an ideograph, U+1F600 (a surrogate pair)
    EXPECT_EQ(utf16, "<FEFF005A006F00EB0020674E0020D83DDE00>");
}

// Every object the table names starts where the table says, and startxref points at the table.
TEST(PdfWriter, CrossReferenceOffsetsPointAtTheirObjects) {
    PdfWriter prefix;
    const int catalog = prefix.reserve();
    const int pages = prefix.reserve();
    const int page = prefix.reserve();  // written after the copy, like a certificate's page
    prefix.begin(catalog);
    prefix.bytes() += "<< /Type /Catalog /Pages 2 0 R >>";
    prefix.end();
    prefix.begin(pages);
    prefix.bytes() += "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
    prefix.end();

    PdfWriter document(prefix, 1024);
    const int content = document.reserve();
    document.stream(content, "", "0 0 m 10 10 l S");
    const int info = document.reserve();
    document.begin(info);
    document.bytes() += "<< /Producer (lms) >>";
    document.end();
    document.begin(page);
    document.bytes() += "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R >>";
    document.end();
    const std::string pdf = document.finish(catalog, info);

    ASSERT_EQ(pdf.rfind("%PDF-1.7\n", 0), 0U);
    ASSERT_EQ(pdf.substr(pdf.size() - 6), "%%EOF\n");
    const auto startxref = pdf.rfind("startxref\n");
    ASSERT_NE(startxref, std::string::npos);
    const std::size_t xref = std::stoul(pdf.substr(startxref + 10));
    ASSERT_EQ(pdf.compare(xref, 5, "xref\n"), 0);
    const std::size_t table = pdf.find("0000000000 65535 f \n", xref);
    ASSERT_NE(table, std::string::npos);
    for (int object = 1; object <= 5; ++object) {
        const std::string entry = pdf.substr(table + 20 * static_cast<std::size_t>(object), 20);
        ASSERT_EQ(entry.substr(10), " 00000 n \n") << entry;
        const std::size_t offset = std::stoul(entry.substr(0, 10));
        EXPECT_EQ(pdf.compare(offset, std::to_string(object).size() + 6, std::to_string(object) + " 0 obj"), 0)
            << "object " << object << " at " << offset;
    }
    EXPECT_NE(pdf.find("/Size 6 /Root 1 0 R /Info 5 0 R"), std::string::npos);
    EXPECT_NE(pdf.find("<< /Length 15 >>\nstream\n0 0 m 10 10 l S\nendstream"), std::string::npos);
}

TEST(PdfWriter, RefusesToFinishWithAnObjectNotWritten) {
    PdfWriter pdf;
    const int root = pdf.reserve();
    EXPECT_THROW(pdf.finish(root, root), std::logic_error);
}

TEST(PdfWriter, DeflaterRoundTripsThroughZlib) {
    Deflater deflater(1);
    std::string text;
    for (int i = 0; i < 500; ++i) text += "1 0 0 1 " + std::to_string(i) + " 341.76 Tm [<0102>] TJ\n";
    for (int round = 0; round < 2; ++round) {  // the state is reset, not remade, between streams
        std::string compressed;
        deflater.compress(text, compressed);
        std::string back(text.size(), '\0');
        uLongf length = static_cast<uLongf>(back.size());
        ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(back.data()), &length,
                             reinterpret_cast<const Bytef*>(compressed.data()), static_cast<uLong>(compressed.size())),
                  Z_OK);
        EXPECT_EQ(back.substr(0, length), text);
        EXPECT_LT(compressed.size(), text.size() / 4);
    }
}

std::string fontFile(const char* family) {
    std::string path;
    FILE* pipe = popen(("fc-match -f '%{file}' '" + std::string(family) + "' 2>/dev/null").c_str(), "r");
    if (pipe == nullptr) return path;
    std::array<char, 512> buffer{};
    for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) path.append(buffer.data(), n);
    pclose(pipe);
    return path;
}

struct FaceDestroy {
    void operator()(hb_face_t* face) const { hb_face_destroy(face); }
};

std::unique_ptr<hb_face_t, FaceDestroy> face(const std::string& path) {
    hb_blob_t* blob = hb_blob_create_from_file(path.c_str());
    std::unique_ptr<hb_face_t, FaceDestroy> made(hb_face_create(blob, 0));
    hb_blob_destroy(blob);
    return made;
}

TEST(GlyphCache, GlyphsAreReadyStreamObjectsInThousandthsOfAnEm) {
    const std::string path = fontFile("Noto Serif");
    ASSERT_NE(path.find("NotoSerif"), std::string::npos) << "fonts-noto-core is not installed: " << path;
    const auto serif = face(path);
    GlyphCache cache;
    hb_codepoint_t a = 0, space = 0;
    hb_font_t* font = hb_font_create(serif.get());
    ASSERT_TRUE(hb_font_get_nominal_glyph(font, 'A', &a));
    ASSERT_TRUE(hb_font_get_nominal_glyph(font, ' ', &space));
    hb_font_destroy(font);

    const GlyphProc& glyph = cache.glyph(serif.get(), a);
    EXPECT_EQ(glyph.object.rfind("<< /Length ", 0), 0U);
    EXPECT_NE(glyph.object.find("/Filter /FlateDecode >>\nstream\n"), std::string::npos);
    EXPECT_EQ(glyph.object.substr(glyph.object.size() - 10), "\nendstream");
    EXPECT_GT(glyph.advance, 500);  // an "A" is most of an em wide
    EXPECT_LT(glyph.advance, 900);
    EXPECT_LT(glyph.box[0], glyph.box[2]);
    EXPECT_LT(glyph.box[1], glyph.box[3]);
    EXPECT_EQ(&cache.glyph(serif.get(), a), &glyph);  // kept
    const GlyphProc& blank = cache.glyph(serif.get(), space);
    EXPECT_EQ(blank.box, (std::array<double, 4>{0, 0, 0, 0}));
    EXPECT_GT(blank.advance, 0);
    EXPECT_EQ(cache.glyphs(), 2U);
}

// Thousands of distinct ideographs, 60 to a "document", with trim() between documents as the
// typesetter calls it: the cache never holds more than its limit and one document's glyphs, and
// after a clear the same glyph has the same bytes.
TEST(GlyphCache, ManyDistinctCjkGlyphsStayUnderTheByteBound) {
    const std::string path = fontFile("Noto Serif CJK JP");
    ASSERT_NE(path.find("CJK"), std::string::npos) << "fonts-noto-cjk is not installed: " << path;
    const auto cjk = face(path);
    ASSERT_GT(hb_face_get_glyph_count(cjk.get()), 20000U);
    constexpr std::size_t kLimit = 512 * 1024;
    GlyphCache cache(kLimit);
    const std::string first = cache.glyph(cjk.get(), 10000).object;
    std::size_t largest = 0, peak = 0, clears = 0, before = cache.bytes();
    for (hb_codepoint_t glyph = 10000; glyph < 22000; ++glyph) {
        largest = std::max(largest, cache.glyph(cjk.get(), glyph).object.size());
        peak = std::max(peak, cache.bytes());
        if (glyph % 60 == 59) {
            cache.trim();
            EXPECT_LE(cache.bytes(), kLimit);
            if (cache.bytes() < before) ++clears;
            before = cache.bytes();
        }
    }
    EXPECT_GT(clears, 5U);  // it did fill up, more than once
    EXPECT_LE(peak, kLimit + 60 * (largest + 96));
    cache.trim();
    EXPECT_LE(cache.bytes(), kLimit);
    EXPECT_EQ(cache.glyph(cjk.get(), 10000).object, first);
}

}  // namespace
}  // namespace lms::certificates
