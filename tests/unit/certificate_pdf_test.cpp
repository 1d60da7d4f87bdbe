// The certificate PDF renderer, read back with poppler's pdftotext, pdfinfo and pdffonts and, for
// the QR code, rendered with pdftoppm and decoded with zbarimg: what a person and a phone would
// see; and checked by qpdf (the file's structure: objects, cross-reference offsets, streams).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "workers/certificates/certificate_renderer.hpp"
#include "workers/certificates/pdf_writer.hpp"
#include "workers/certificates/typesetter.hpp"

namespace lms::certificates {
namespace {

namespace fs = std::filesystem;

const std::chrono::sys_seconds kIssuedAt{std::chrono::seconds(1796256000)};  // 2026-12-03T00:00:00Z

CertificateArt art(std::string name, std::string course = "Modern C++ for Professionals") {
    return {std::move(name),
            std::move(course),
            "3 December 2026",
            "LMS-7K4Q-9XW2",
            "https://lms.example.com/certificates/LMS-7K4Q-9XW2/verify",
            kIssuedAt};
}

const CertificateRenderer& renderer() {
    static const CertificateRenderer instance;
    return instance;
}

std::string mustRender(const CertificateArt& a) {
    auto pdf = renderer().render(a);
    if (!pdf) throw std::runtime_error(pdf.error().message());
    return std::move(pdf).value();
}

// A file for the tools, removed with the test's object.
class PdfFile {
public:
    explicit PdfFile(const std::string& bytes)
        : path_(fs::temp_directory_path() /
                ("lms-certificate-" + std::to_string(getpid()) + "-" + std::to_string(counter_++) + ".pdf")) {
        std::ofstream(path_, std::ios::binary) << bytes;
    }
    ~PdfFile() {
        std::error_code ignored;
        fs::remove(path_, ignored);
        fs::remove(png(), ignored);
    }
    PdfFile(const PdfFile&) = delete;
    PdfFile& operator=(const PdfFile&) = delete;

    std::string path() const { return path_.string(); }
    std::string png() const { return path_.string() + ".png"; }

private:
    static inline int counter_ = 0;
    fs::path path_;
};

// The standard output of a command (its arguments are our own file names: no quoting needed).
std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
    std::array<char, 4096> buffer{};
    for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) out.append(buffer.data(), n);
    const int status = pclose(pipe);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error(command + " failed");
    return out;
}

bool have(const std::string& tool) { return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0; }

// pdftotext (poppler 22) writes a right-to-left line in logical order between U+202B (RIGHT-TO-LEFT
// EMBEDDING) and U+202C (POP DIRECTIONAL FORMATTING); -raw would write one letter per line.
// Removing the directional marks leaves the text as typed.
std::string withoutBidiMarks(std::string text) {
    for (const char* mark : {"\u202A", "\u202B", "\u202C", "\u202D", "\u202E", "\u200E", "\u200F", "\u2066", "\u2067",
                             "\u2068", "\u2069"}) {
        for (auto at = text.find(mark); at != std::string::npos; at = text.find(mark, at))
            text.erase(at, std::string(mark).size());
    }
    return text;
}

std::string textOf(const PdfFile& pdf) { return run("pdftotext -enc UTF-8 " + pdf.path() + " -"); }

void expectShows(const CertificateArt& a) {
    ASSERT_TRUE(have("pdftotext")) << "poppler-utils is not installed (ops/lib.sh installs it)";
    const PdfFile pdf(mustRender(a));
    const std::string text = withoutBidiMarks(textOf(pdf));
    EXPECT_NE(text.find(a.studentName), std::string::npos) << text;
    EXPECT_NE(text.find(a.courseTitle), std::string::npos) << text;
    EXPECT_NE(text.find(a.certificateId), std::string::npos) << text;
    EXPECT_NE(text.find(a.issuedOn), std::string::npos) << text;
    EXPECT_NE(text.find(a.verifyUrl), std::string::npos) << text;
    const std::string info = run("pdfinfo " + pdf.path());
    EXPECT_NE(info.find("Page size:       841.89 x 595.28 pts (A4)"), std::string::npos) << info;
    EXPECT_NE(info.find("Pages:           1\n"), std::string::npos) << info;
}

TEST(CertificatePdf, LatinNameWithDiacritics) { expectShows(art("Zoë Ångström-Núñez")); }

TEST(CertificatePdf, ArabicNameRightToLeft) {
    const CertificateArt a = art("محمد عبد الله");
    expectShows(a);
    // What pdftotext gives, marks and all: the logical order, so the test above checks the right
    // thing (a name drawn letter by letter left to right would come back reversed).
    const PdfFile pdf(mustRender(a));
    EXPECT_NE(textOf(pdf).find("\u202B" + a.studentName + "\u202C"), std::string::npos);
}

TEST(CertificatePdf, ChineseName) { expectShows(art("李小龍")); }

TEST(CertificatePdf, DevanagariName) { expectShows(art("अनन्या शर्मा")); }

TEST(CertificatePdf, JapaneseCourseTitle) { expectShows(art("Zoë Ångström-Núñez", "データサイエンス入門講座")); }

TEST(CertificatePdf, QrCodeDecodesToTheVerificationUrl) {
    if (!have("zbarimg") || !have("pdftoppm")) GTEST_SKIP() << "zbar-tools or poppler-utils not installed";
    const CertificateArt a = art("李小龍");
    const PdfFile pdf(mustRender(a));
    run("pdftoppm -r 100 -png -singlefile " + pdf.path() + " " + pdf.path());
    EXPECT_EQ(run("zbarimg -q --raw " + pdf.png()), a.verifyUrl + "\n");
}

TEST(CertificatePdf, SameArtSameBytes) {
    const CertificateArt a = art("محمد عبد الله", "データサイエンス入門");
    const std::string first = mustRender(a);
    EXPECT_EQ(mustRender(art("李小龍")).empty(), false);  // something else in between
    EXPECT_EQ(mustRender(a), first);
    const CertificateRenderer another;  // fonts and caches of its own
    EXPECT_EQ(another.render(a).value(), first);
    CertificateArt later = a;
    later.issuedAt += std::chrono::hours(24);
    EXPECT_NE(mustRender(later), first);
    const PdfFile pdf(first);
    const std::string info = run("pdfinfo -isodates " + pdf.path());
    const auto created = info.find("CreationDate:");
    ASSERT_NE(created, std::string::npos) << info;
    EXPECT_EQ(info.substr(created, info.find('\n', created) - created).find("2026-12-03T00:00:00Z") != std::string::npos,
              true)
        << info;
}

TEST(CertificatePdf, SameBytesFromTwoThreadsAtOnce) {
    const std::vector<CertificateArt> arts = {art("Zoë Ångström-Núñez"), art("محمد عبد الله"), art("李小龍"),
                                              art("अनन्या शर्मा")};
    std::vector<std::string> expected;
    for (const auto& a : arts) expected.push_back(mustRender(a));
    std::array<int, 2> mismatches{};
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < mismatches.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 3; ++round)
                for (std::size_t i = 0; i < arts.size(); ++i)
                    if (mustRender(arts[(i + t) % arts.size()]) != expected[(i + t) % arts.size()]) ++mismatches[t];
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(mismatches, (std::array<int, 2>{0, 0}));
}

TEST(CertificatePdf, VeryLongNameStaysOnOneLineOfOnePage) {
    // 500 characters (not bytes): the name repeated, cut at a character.
    const std::u32string_view part = U"Zoë Ångström-Núñez ";
    std::string name;
    for (std::size_t i = 0; i < 500; ++i) {
        const char32_t c = part[i % part.size()];
        if (c < 0x80) {
            name += static_cast<char>(c);
        } else {  // all of them below U+0800: two bytes
            name += static_cast<char>(0xC0 | (c >> 6));
            name += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    const CertificateArt a = art(name);
    const PdfFile pdf(mustRender(a));
    EXPECT_NE(run("pdfinfo " + pdf.path()).find("Pages:           1\n"), std::string::npos);
    const std::string text = textOf(pdf);
    // Ellipsized at the smallest size: the start of the name, the ellipsis, and not all of it.
    EXPECT_NE(text.find("Zoë Ångström-Núñez Zoë"), std::string::npos) << text;
    EXPECT_NE(text.find("\u2026"), std::string::npos) << text;
    EXPECT_EQ(text.find(name), std::string::npos);
    EXPECT_NE(text.find(a.courseTitle), std::string::npos) << text;  // the rest of the page is still there
}

TEST(CertificatePdf, RefusesWhatItCannotRender) {
    const auto refusal = [](const CertificateArt& a) {
        auto pdf = renderer().render(a);
        EXPECT_FALSE(pdf.has_value());
        return pdf ? std::string("rendered") : pdf.error().message();
    };
    EXPECT_EQ(refusal(art("Zo\xC3\x28")), "studentName: not valid UTF-8");             // a broken sequence
    EXPECT_EQ(refusal(art(std::string("Zo\0e", 4))), "studentName: not valid UTF-8");  // a NUL byte
    EXPECT_EQ(refusal(art("Zoë", "\xED\xA0\x80")), "courseTitle: not valid UTF-8");    // a UTF-16 surrogate
    EXPECT_EQ(refusal(art("")), "studentName: empty");
    CertificateArt longUrl = art("Zoë");
    longUrl.verifyUrl = "https://lms.example.com/" + std::string(kMaxVerifyUrlBytes, 'a');
    EXPECT_EQ(refusal(longUrl), "verifyUrl: too long");
    CertificateArt badId = art("Zoë");
    badId.certificateId = "\xFF";
    EXPECT_EQ(refusal(badId), "certificateId: not valid UTF-8");
    EXPECT_TRUE(renderer().render(art("Zoë")).has_value());  // and a good one still renders
}

// Names and titles in every script the bench mixes, and together on one page: each comes back
// from pdftotext as typed.
TEST(CertificatePdf, EveryScriptComesBackAsTyped) {
    const std::vector<std::pair<std::string, std::string>> pages = {
        {"Łukasz Đorđević", "Crème Brûlée and Other French Desserts"},
        {"فاطمة الحسيني", "مقدمة في البرمجة"},
        {"प्रिया गुप्ता", "मशीन लर्निंग की बुनियाद"},
        {"王秀英", "机器学习基础"},
        {"さくら佐藤", "データサイエンス入門"},
        {"Søren Ørsted", "مقدمة في البرمجة"},
        {"陽菜鈴木", "Introduction to Data Science"},
        {"विक्रम सिंह", "データサイエンス入門"},
    };
    for (const auto& [name, course] : pages) {
        SCOPED_TRACE(name + " / " + course);
        expectShows(art(name, course));
    }
}

// The structure of the file as qpdf reads it: every object where the cross-reference table says,
// streams whose lengths and compression are right, for a page in each script.
TEST(CertificatePdf, QpdfFindsNoError) {
    ASSERT_TRUE(have("qpdf")) << "qpdf is not installed (ops/lib.sh installs it)";
    for (const char* name : {"Zoë Ångström-Núñez", "محمد عبد الله", "अनन्या शर्मा", "李小龍", "さくら"}) {
        const PdfFile pdf(mustRender(art(name, "データサイエンス入門")));
        // qpdf exits 0 only when it found neither errors nor warnings (run() throws otherwise).
        const std::string report = run("qpdf --check " + pdf.path());
        EXPECT_NE(report.find("No syntax or stream encoding errors found"), std::string::npos) << name << "\n"
                                                                                               << report;
    }
}

// The same, read by this test: each entry of the cross-reference table points at "n 0 obj".
TEST(CertificatePdf, CrossReferenceOffsetsPointAtTheirObjects) {
    const std::string pdf = mustRender(art("李小龍", "مقدمة في البرمجة"));
    const std::size_t xref = std::stoul(pdf.substr(pdf.rfind("startxref\n") + 10));
    ASSERT_EQ(pdf.compare(xref, 7, "xref\n0 "), 0);
    const std::size_t size = std::stoul(pdf.substr(xref + 7));
    const std::size_t table = pdf.find('\n', xref + 7) + 1;
    ASSERT_GT(size, 10U);
    for (std::size_t object = 1; object < size; ++object) {
        const std::size_t offset = std::stoul(pdf.substr(table + 20 * object, 10));
        const std::string header = std::to_string(object) + " 0 obj\n";
        ASSERT_EQ(pdf.compare(offset, header.size(), header), 0) << "object " << object << " at " << offset;
    }
    EXPECT_NE(pdf.find("trailer\n<< /Size " + std::to_string(size) + " "), std::string::npos);
}

// Every font is a Type 3 font (the real fonts' outlines, HarfBuzz's) with a ToUnicode map: no
// font program is embedded, whatever the script.
TEST(CertificatePdf, AllTextIsInType3FontsWithToUnicode) {
    if (!have("pdffonts")) GTEST_SKIP() << "poppler-utils not installed";
    const PdfFile pdf(mustRender(art("محمد عبد الله", "データサイエンス入門")));
    const std::string fonts = run("pdffonts " + pdf.path());
    std::size_t lines = 0;
    for (std::size_t at = fonts.find('\n', fonts.find("-----")); at != std::string::npos && at + 1 < fonts.size();
         at = fonts.find('\n', at + 1)) {
        const std::string line = fonts.substr(at + 1, fonts.find('\n', at + 1) - at - 1);
        if (line.empty()) continue;
        ++lines;
        EXPECT_NE(line.find("Type 3"), std::string::npos) << line;
        // The columns emb, sub, uni: poppler counts a Type 3 font as embedded (its glyphs are in
        // the file), not a subset (no font program to subset), with a ToUnicode map.
        EXPECT_NE(line.find("yes no  yes"), std::string::npos) << line;
    }
    EXPECT_GE(lines, 2U) << fonts;  // the fixed part's and the document's own
}

// Each left-to-right line is marked content whose /ActualText is the line as typed (a reader
// that reads it need not piece the text together from glyphs).
TEST(CertificatePdf, LinesCarryTheirTextAsActualText) {
    ASSERT_TRUE(have("qpdf")) << "qpdf is not installed (ops/lib.sh installs it)";
    const CertificateArt a = art("अनन्या शर्मा", "データサイエンス入門");
    const PdfFile pdf(mustRender(a));
    const std::string plain = run("qpdf --stream-data=uncompress " + pdf.path() + " -");
    for (const std::string& text :
         {a.studentName, a.courseTitle, a.issuedOn, a.certificateId, a.verifyUrl, std::string("This certifies that")}) {
        std::string hex = "/Span << /ActualText <FEFF";
        appendUtf16Hex(hex, text);
        EXPECT_NE(plain.find(hex + "> >> BDC"), std::string::npos) << text;
    }
}

// Everything that is the same on every certificate (catalog, page tree, the frame and fixed texts,
// their fonts) is one run of bytes made once, at the start of every PDF.
TEST(CertificatePdf, FixedPartIsTheSameBytesInEveryCertificate) {
    const std::string latin = mustRender(art("Zoë Ångström-Núñez"));
    const std::string chinese = mustRender(art("李小龍", "机器学习基础"));
    std::size_t common = 0;
    while (common < latin.size() && common < chinese.size() && latin[common] == chinese[common]) ++common;
    EXPECT_GT(common, 8000U);
    EXPECT_NE(latin.substr(0, common).find("/Subtype /Type3"), std::string::npos);
}

// The bytes do not depend on what the glyph cache held: a typesetter whose cache is cleared after
// every document writes what the renderer writes.
TEST(CertificatePdf, SameBytesWhateverTheGlyphCacheHeld) {
    Typesetter forgetful(1);
    for (const char* name : {"Zoë Ångström-Núñez", "محمد عبد الله", "李小龍"}) {
        const CertificateArt a = art(name, "मशीन लर्निंग की बुनियाद");
        const std::string first = forgetful.render(a);
        EXPECT_LE(forgetful.glyphCache().glyphs(), 200U);
        EXPECT_EQ(forgetful.render(a), first) << name;
        EXPECT_EQ(mustRender(a), first) << name;
    }
}

}  // namespace
}  // namespace lms::certificates
