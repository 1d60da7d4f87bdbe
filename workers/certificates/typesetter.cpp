#include "workers/certificates/typesetter.hpp"

#include <cairo-pdf.h>

#include <cstdio>
#include <ctime>
#include <new>
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
// name may be in (fontconfig's own fallback picked DejaVu for Arabic): every font on the page is
// a font subset that cairo writes into every PDF, so the fewer the faster.
constexpr const char* kSerif = "Noto Serif";
constexpr const char* kFamilies = "Noto Serif,Noto Naskh Arabic,Noto Serif Devanagari,Noto Serif CJK JP";

// The sizes tried, largest first: a few fixed steps rather than a size computed per name, so that
// the fonts (pango's and cairo's caches hold one per size) stay few however many names go by.
constexpr double kNameSizes[] = {40, 36, 32, 28, 25, 22, 19, 16};
constexpr double kCourseSizes[] = {26, 23, 20, 18, 16, 14};
constexpr double kDetailSizes[] = {14, 12, 10};
constexpr double kUrlSizes[] = {10, 9, 8, 7};
constexpr double kTextWidth = kPageWidth - 2 * kMargin - 20;

// The QR code's square (quiet zone included) in the bottom right corner, the details beside it.
constexpr double kQrSide = 118;
constexpr double kQrX = kPageWidth - kMargin - kQrSide, kQrY = kPageHeight - 62 - kQrSide;
constexpr double kDetailWidth = kQrX - kMargin - 30;

struct Rgb {
    double r, g, b;
};
constexpr Rgb kInk{0.12, 0.16, 0.24}, kNavy{0.12, 0.23, 0.37}, kGold{0.69, 0.55, 0.34}, kGrey{0.38, 0.40, 0.45};

void setColour(cairo_t* cr, Rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

cairo_status_t appendToString(void* closure, const unsigned char* data, unsigned int length) {
    try {  // no exception may cross cairo's C frames
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
    } catch (const std::bad_alloc&) {
        return CAIRO_STATUS_NO_MEMORY;
    }
}

// ISO 8601 in UTC, as cairo_pdf_surface_set_metadata takes dates.
std::string isoDate(std::chrono::sys_seconds t) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char out[32];
    std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return out;
}

void check(cairo_status_t status, std::string_view what) {
    if (status != CAIRO_STATUS_SUCCESS)
        throw std::runtime_error("certificates: " + std::string(what) + ": " + cairo_status_to_string(status));
}

PangoRectangle logicalExtents(PangoLayout* layout) {
    PangoRectangle logical;
    pango_layout_get_extents(layout, nullptr, &logical);
    return logical;
}

}  // namespace

Typesetter::Typesetter()
    : fontMap_(pango_cairo_font_map_new()), context_(pango_font_map_create_context(fontMap_.get())) {
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
}

Typesetter::Line Typesetter::fixedLine(double size, const char* text, double centerX, double top) {
    Line line = variableLine();
    pango_font_description_set_absolute_size(line.font.get(), size * PANGO_SCALE);
    pango_layout_set_font_description(line.layout.get(), line.font.get());
    pango_layout_set_text(line.layout.get(), text, -1);
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
    // No optional ligatures: one (the "fi" of "certificates") is a glyph for two letters, which
    // cairo cannot put in a font's WinAnsi subset, so it adds a second subset of the font to every
    // PDF. Scripts' required forms (Arabic's joining and lam-alef, Devanagari's conjuncts) are
    // other features, kept.
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

void Typesetter::drawPage(cairo_t* cr, const CertificateArt& art) {
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

    // The frame: a navy border and a thin gold one inside it.
    setColour(cr, kNavy);
    cairo_set_line_width(cr, 3);
    cairo_rectangle(cr, 24, 24, kPageWidth - 48, kPageHeight - 48);
    cairo_stroke(cr);
    setColour(cr, kGold);
    cairo_set_line_width(cr, 0.75);
    cairo_rectangle(cr, 34, 34, kPageWidth - 68, kPageHeight - 68);
    cairo_stroke(cr);
    cairo_move_to(cr, kCenterX - 210, 272);
    cairo_line_to(cr, kCenterX + 210, 272);
    cairo_stroke(cr);

    setColour(cr, kNavy);
    painter_.showLayout(cr, heading_.layout.get(), heading_.x, heading_.y);
    setColour(cr, kGrey);
    for (const Line* l : {&certifies_, &completed_, &issuedLabel_, &idLabel_, &verifyLabel_})
        painter_.showLayout(cr, l->layout.get(), l->x, l->y);
    setColour(cr, kInk);
    for (const Line* l : {&name_, &course_, &issuedOn_, &certificateId_, &verifyUrl_})
        painter_.showLayout(cr, l->layout.get(), l->x, l->y);

    setColour(cr, kInk);
    QrCode::encode(art.verifyUrl).draw(cr, kQrX, kQrY, kQrSide);
}

std::string Typesetter::render(const CertificateArt& art) {
    std::string pdf;
    pdf.reserve(32 * 1024);
    cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(appendToString, &pdf, kPageWidth, kPageHeight);
    // Without dates cairo writes the current time: the same certificate would differ each time.
    const std::string date = isoDate(art.issuedAt);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, date.c_str());
    const std::string title = "Certificate " + art.certificateId;
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "lms");
    cairo_t* cr = cairo_create(surface);
    try {
        drawPage(cr, art);
    } catch (...) {
        cairo_destroy(cr);
        cairo_surface_destroy(surface);
        throw;
    }
    const cairo_status_t drawing = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    const cairo_status_t finishing = cairo_surface_status(surface);
    cairo_surface_destroy(surface);
    check(drawing, "drawing the certificate");
    check(finishing, "writing the PDF");
    return pdf;
}

}  // namespace lms::certificates
