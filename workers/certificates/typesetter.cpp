#include "workers/certificates/typesetter.hpp"

#include <ctime>
#include <stdexcept>
#include <string_view>

#include "workers/certificates/qr_code.hpp"

namespace lms::certificates {
namespace {

// A4 landscape, in PDF points.
constexpr double kPageWidth = 841.89, kPageHeight = 595.28;
constexpr double kCenterX = kPageWidth / 2;
constexpr double kMargin = 80;

// One weight of one family for everything, with the script's Noto font named for each script a
// name may be in (fontconfig's own fallback picked DejaVu for Arabic).
constexpr const char* kSerif = "Noto Serif";
constexpr const char* kFamilies = "Noto Serif,Noto Naskh Arabic,Noto Serif Devanagari,Noto Serif CJK JP";

// The sizes tried, largest first: a few fixed steps rather than a size computed per name, so that
// the fonts (pango's caches hold one per size) stay few however many names go by.
constexpr double kNameSizes[] = {40, 36, 32, 28, 25, 22, 19, 16};
constexpr double kCourseSizes[] = {26, 23, 20, 18, 16, 14};
constexpr double kDetailSizes[] = {14, 12, 10};
constexpr double kUrlSizes[] = {10, 9, 8, 7};
constexpr double kTextWidth = kPageWidth - 2 * kMargin - 20;

// The QR code's square (quiet zone included) in the bottom right corner, the details beside it.
constexpr double kQrSide = 118;
constexpr double kQrX = kPageWidth - kMargin - kQrSide, kQrY = kPageHeight - 62 - kQrSide;
constexpr double kDetailWidth = kQrX - kMargin - 30;

// Fill ("rg") and stroke ("RG") colours.
constexpr std::string_view kInk = "0.12 0.16 0.24 rg", kNavy = "0.12 0.23 0.37 rg", kGrey = "0.38 0.4 0.45 rg";
constexpr std::string_view kNavyStroke = "0.12 0.23 0.37 RG", kGoldStroke = "0.69 0.55 0.34 RG";

// The variable content stream (about 5 kB: the lines' codes and positions, the QR code's bars) is
// compressed for every document, at zlib's fastest level: 30 us and 1.9 kB, where level 6 took
// 100 us for 1.6 kB and none took 3 us for 5.9 kB (bench/README.md). The fixed part is compressed
// once, at the best.
constexpr int kDocumentCompression = 1;
constexpr int kFixedCompression = 9;

// A PDF date (ISO 32000-1, 7.9.4) in UTC: "D:20261203000000Z".
std::string pdfDate(std::chrono::sys_seconds t) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char out[32];
    std::strftime(out, sizeof out, "D:%Y%m%d%H%M%SZ", &utc);
    return out;
}

void appendPoint(std::string& out, double x, double y) {
    appendNumber(out, x);
    out += ' ';
    appendNumber(out, y);
    out += ' ';
}

PangoRectangle logicalExtents(PangoLayout* layout) {
    PangoRectangle logical;
    pango_layout_get_extents(layout, nullptr, &logical);
    return logical;
}

}  // namespace

Typesetter::Typesetter(std::size_t glyphCacheBytes)
    // Pango's cairo font map only loads the fonts and measures their glyphs (unhinted, below); no
    // cairo surface draws or writes anything.
    : fontMap_(pango_cairo_font_map_new()),
      context_(pango_font_map_create_context(fontMap_.get())),
      glyphs_(glyphCacheBytes),
      deflater_(kDocumentCompression) {
    cairo_font_options_t* options = cairo_font_options_create();
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    pango_cairo_context_set_font_options(context_.get(), options);
    cairo_font_options_destroy(options);
    // Points are PDF units; the language is fixed (not the process's locale) so that the same
    // fonts are chosen for the same text everywhere.
    pango_cairo_context_set_resolution(context_.get(), 72);
    pango_context_set_language(context_.get(), pango_language_from_string("en"));
    pango_context_set_round_glyph_positions(context_.get(), FALSE);

    FontDescriptionPtr serif(pango_font_description_from_string(kSerif));
    GObjectPtr<PangoFont> loaded(pango_font_map_load_font(fontMap_.get(), context_.get(), serif.get()));
    FontDescriptionPtr found(loaded ? pango_font_describe(loaded.get()) : nullptr);
    const char* family = found ? pango_font_description_get_family(found.get()) : nullptr;
    if (family == nullptr || std::string_view(family).rfind(kSerif, 0) != 0)
        throw std::runtime_error(std::string("certificates: the font ") + kSerif +
                                 " is missing (Debian: fonts-noto-core, and fonts-noto-cjk for CJK)");

    heading_ = fixedLine(34, "CERTIFICATE OF COMPLETION", kCenterX, 80);
    certifies_ = fixedLine(15, "This certifies that", kCenterX, 168);
    completed_ = fixedLine(15, "has successfully completed the course", kCenterX, 300);
    issuedLabel_ = fixedLine(10, "Issued on", -1, 402);
    idLabel_ = fixedLine(10, "Certificate ID", -1, 450);
    verifyLabel_ = fixedLine(10, "Verify this certificate at", -1, 498);
    name_ = variableLine();
    course_ = variableLine();
    issuedOn_ = variableLine();
    certificateId_ = variableLine();
    verifyUrl_ = variableLine();
    writeFixedPart();
}

Typesetter::Line Typesetter::fixedLine(double size, const char* text, double centerX, double top) {
    Line line = variableLine();
    pango_font_description_set_absolute_size(line.font.get(), size * PANGO_SCALE);
    pango_layout_set_font_description(line.layout.get(), line.font.get());
    pango_layout_set_text(line.layout.get(), text, -1);
    line.size = size;
    const PangoRectangle logical = logicalExtents(line.layout.get());
    line.x = centerX < 0 ? kMargin : centerX - pango_units_to_double(logical.x + logical.width / 2);
    line.y = top;
    return line;
}

Typesetter::Line Typesetter::variableLine() {
    Line line{GObjectPtr<PangoLayout>(pango_layout_new(context_.get())),
              FontDescriptionPtr(pango_font_description_from_string(kFamilies))};
    // One line whatever the text holds: a newline in a name is drawn, not obeyed.
    pango_layout_set_single_paragraph_mode(line.layout.get(), TRUE);
    // No optional ligatures (the "fi" of "certifies"), so that the page looks as it did when cairo
    // wrote it (a ligature then cost a second font subset in every PDF; in our Type 3 fonts it
    // would be one more code with its two letters as text). Scripts' required forms (Arabic's
    // joining and lam-alef, Devanagari's conjuncts) are other features, kept.
    PangoAttrList* attributes = pango_attr_list_new();
    pango_attr_list_insert(attributes, pango_attr_font_features_new("liga 0"));
    pango_layout_set_attributes(line.layout.get(), attributes);
    pango_attr_list_unref(attributes);
    return line;
}

void Typesetter::fit(Line& line, const std::string& text, std::span<const double> sizes, double maxWidth,
                     PangoEllipsizeMode ellipsize) {
    PangoLayout* layout = line.layout.get();
    pango_layout_set_width(layout, -1);
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_NONE);
    pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
    const auto widthAt = [&](double size) {
        line.size = size;
        pango_font_description_set_absolute_size(line.font.get(), size * PANGO_SCALE);
        pango_layout_set_font_description(layout, line.font.get());
        return pango_units_to_double(logicalExtents(layout).width);
    };
    const double natural = widthAt(sizes[0]);
    if (natural <= maxWidth) return;
    // Widths scale with the size (no hinting): guess the step, then confirm it.
    for (std::size_t i = 1; i < sizes.size(); ++i) {
        if (natural * sizes[i] / sizes[0] > maxWidth) continue;
        if (widthAt(sizes[i]) <= maxWidth) return;
    }
    widthAt(sizes.back());
    pango_layout_set_width(layout, static_cast<int>(maxWidth * PANGO_SCALE));
    pango_layout_set_ellipsize(layout, ellipsize);
}

void Typesetter::place(Line& line, double centerX, double left, double middleY) {
    const PangoRectangle logical = logicalExtents(line.layout.get());
    line.x = centerX >= 0 ? centerX - pango_units_to_double(logical.x + logical.width / 2)
                          : left - pango_units_to_double(logical.x);
    line.y = middleY - pango_units_to_double(logical.height) / 2;
}

void Typesetter::writeFixedPart() {
    catalog_ = fixedPart_.reserve();
    pages_ = fixedPart_.reserve();
    page_ = fixedPart_.reserve();  // written by each document: its resources are the document's
    fixedContent_ = fixedPart_.reserve();

    std::string content = "q\n";
    // The frame: a navy border and a thin gold one inside it, and a gold rule under the name.
    content += kNavyStroke;
    content += " 3 w ";
    appendPoint(content, 24, 24);
    appendPoint(content, kPageWidth - 48, kPageHeight - 48);
    content += "re S\n";
    content += kGoldStroke;
    content += " 0.75 w ";
    appendPoint(content, 34, 34);
    appendPoint(content, kPageWidth - 68, kPageHeight - 68);
    content += "re S\n";
    appendPoint(content, kCenterX - 210, kPageHeight - 272);
    content += "m ";
    appendPoint(content, kCenterX + 210, kPageHeight - 272);
    content += "l S\n";
    content += kNavy;
    content += '\n';
    painter_.showLayout(content, heading_.layout.get(), heading_.size, heading_.x, heading_.y, kPageHeight, fixedFonts_,
                        nullptr);
    content += kGrey;
    content += '\n';
    for (const Line* l : {&certifies_, &completed_, &issuedLabel_, &idLabel_, &verifyLabel_})
        painter_.showLayout(content, l->layout.get(), l->size, l->x, l->y, kPageHeight, fixedFonts_, nullptr);
    content += "Q\n";

    Deflater best(kFixedCompression);
    std::string compressed;
    best.compress(content, compressed);
    fixedPart_.stream(fixedContent_, "/Filter /FlateDecode", compressed);
    fixedFonts_.write(fixedPart_, &best);
    fixedFonts_.appendResources(fixedResources_);

    fixedPart_.begin(catalog_);
    fixedPart_.bytes() += "<< /Type /Catalog /Pages ";
    appendInteger(fixedPart_.bytes(), pages_);
    fixedPart_.bytes() += " 0 R >>";
    fixedPart_.end();
    fixedPart_.begin(pages_);
    fixedPart_.bytes() += "<< /Type /Pages /Kids [";
    appendInteger(fixedPart_.bytes(), page_);
    fixedPart_.bytes() += " 0 R] /Count 1 >>";
    fixedPart_.end();
}

std::string Typesetter::render(const CertificateArt& art) {
    glyphs_.trim();  // between documents: what the last one held may go
    fit(name_, art.studentName, kNameSizes, kTextWidth, PANGO_ELLIPSIZE_END);
    place(name_, kCenterX, 0, 238);
    fit(course_, art.courseTitle, kCourseSizes, kTextWidth, PANGO_ELLIPSIZE_END);
    place(course_, kCenterX, 0, 352);
    fit(issuedOn_, art.issuedOn, kDetailSizes, kDetailWidth, PANGO_ELLIPSIZE_END);
    place(issuedOn_, -1, kMargin, 428);
    fit(certificateId_, art.certificateId, kDetailSizes, kDetailWidth, PANGO_ELLIPSIZE_END);
    place(certificateId_, -1, kMargin, 476);
    // A URL cut at its end reads as another URL: cut its middle (the QR code has all of it).
    fit(verifyUrl_, art.verifyUrl, kUrlSizes, kDetailWidth, PANGO_ELLIPSIZE_MIDDLE);
    place(verifyUrl_, -1, kMargin, 520);

    content_.clear();
    documentFonts_.clear();
    content_ += kInk;
    content_ += '\n';
    for (const Line* l : {&name_, &course_, &issuedOn_, &certificateId_, &verifyUrl_})
        painter_.showLayout(content_, l->layout.get(), l->size, l->x, l->y, kPageHeight, documentFonts_, &fixedFonts_);
    QrCode::encode(art.verifyUrl).writePdf(content_, kQrX, kQrY, kQrSide, kPageHeight, kInk);

    PdfWriter pdf(fixedPart_, 48 * 1024);
    const int content = pdf.reserve();
    compressed_.clear();
    deflater_.compress(content_, compressed_);
    pdf.stream(content, "/Filter /FlateDecode", compressed_);
    documentFonts_.write(pdf, nullptr);

    std::string& out = pdf.bytes();
    pdf.begin(page_);
    out += "<< /Type /Page /Parent ";
    appendInteger(out, pages_);
    out += " 0 R /MediaBox [0 0 841.89 595.28]\n/Resources << /Font << ";
    out += fixedResources_;
    documentFonts_.appendResources(out);
    out += ">> >>\n/Contents [";
    appendInteger(out, fixedContent_);
    out += " 0 R ";
    appendInteger(out, content);
    out += " 0 R] >>";
    pdf.end();

    const int info = pdf.reserve();
    const std::string date = pdfDate(art.issuedAt);
    pdf.begin(info);
    out += "<< /Title ";
    appendTextString(out, "Certificate " + art.certificateId);
    out += " /Creator (lms) /Producer (lms) /CreationDate (";
    out += date;
    out += ") /ModDate (";
    out += date;
    out += ") >>";
    pdf.end();
    return pdf.finish(catalog_, info);
}

}  // namespace lms::certificates
