// The certificate PDF renderer, read back with poppler's pdftotext and pdfinfo and, for the QR
// code, rendered with pdftoppm and decoded with zbarimg: what a person and a phone would see.
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

}  // namespace
}  // namespace lms::certificates
