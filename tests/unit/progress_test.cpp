// Progress and certificates, given events, when a command, then events or a refusal; the
// certificate id's format and check character. No I/O.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "domain/certificates/certificate.hpp"
#include "domain/certificates/certificate_id.hpp"
#include "domain/progress/progress.hpp"
#include "tests/support/given_when_then.hpp"

namespace lms::domain {
namespace {

using nlohmann::json;
using test::given;
namespace dp = progress;
namespace dc = certificates;

constexpr std::int64_t kT0 = 1'795'000'000'000'000;

dp::CourseNow course(std::vector<std::string> lectures, bool enrolled = true) {
    return {enrolled, std::move(lectures)};
}
dp::CompleteLecture complete(const std::string& lecture, const dp::CourseNow& now) {
    return {"e1", "s1", "c1", lecture, now, "LMS-CERT", kT0};
}
json completedData(const std::string& lecture) {
    return {{"enrollmentId", "e1"}, {"studentId", "s1"}, {"courseId", "c1"}, {"lectureId", lecture}, {"at", kT0}};
}
DomainEvent completed(const std::string& lecture) { return {"LectureCompleted", 1, completedData(lecture)}; }
json courseCompletedData(std::int64_t lectures) {
    return {{"enrollmentId", "e1"},        {"studentId", "s1"},    {"courseId", "c1"},
            {"certificateId", "LMS-CERT"}, {"lectures", lectures}, {"at", kT0}};
}

TEST(ProgressFigures, CountOnlyTheCourseLecturesOfNowRoundedDown) {
    const std::set<std::string> done{"l1", "l2", "gone"};
    const auto f = dp::figures(done, {"l1", "l2", "l3"});
    EXPECT_EQ(f.completedLectures, 2);
    EXPECT_EQ(f.totalLectures, 3);
    EXPECT_EQ(f.percent, 66);  // not 67: 100 means every lecture
    EXPECT_EQ(dp::figures(done, {"l1", "l2"}).percent, 100);
    EXPECT_EQ(dp::figures(done, {"l1", "l2", "l3", "l4"}).percent, 50);  // a lecture added lowers it
    EXPECT_EQ(dp::figures(done, {}).percent, 0);
    EXPECT_EQ(dp::figures({}, {"l1"}).percent, 0);
}

TEST(Progress, CompletingALectureIsIdempotentAndTheLastOneCompletesTheCourseOnce) {
    const auto now = course({"l1", "l2"});
    given<dp::Progress>({})
        .when(complete("l1", now))
        .then({{"LectureCompleted", completedData("l1")}})
        .when(complete("l1", now))
        .then({})
        .when(complete("l2", now))
        .then({{"LectureCompleted", completedData("l2")}, {"CourseCompleted", courseCompletedData(2)}})
        .when(complete("l2", now))
        .then({});
}

TEST(Progress, NotEnrolledOrALectureOfAnotherCourseWritesNothing) {
    given<dp::Progress>({}).when(complete("l1", course({"l1"}, false))).thenRefused("not_enrolled");
    given<dp::Progress>({}).when(complete("other", course({"l1"}))).thenRefused("lecture_not_found");
    given<dp::Progress>({}).when(dp::ResetProgress{false, kT0}).thenRefused("not_enrolled");
}

TEST(Progress, ARemovedLectureStopsCountingAndTheNextCompletionSaysTheCourseIsDone) {
    // l2 was removed after l1 was completed: completing l1 again completes the course.
    given<dp::Progress>({completed("l1")})
        .when(complete("l1", course({"l1"})))
        .then({{"CourseCompleted", courseCompletedData(1)}});
}

TEST(Progress, AResetRestartsProgressButTheCourseIsCompletedOncePerEnrollment) {
    const auto now = course({"l1"});
    const DomainEvent done{"CourseCompleted", 1, courseCompletedData(1)};
    given<dp::Progress>({completed("l1"), done})
        .when(dp::ResetProgress{true, kT0})
        .then({{"ProgressReset", {{"at", kT0}}}})
        .when(dp::ResetProgress{true, kT0})
        .then({})
        .when(complete("l1", now))
        .then({{"LectureCompleted", completedData("l1")}});  // no second CourseCompleted
    auto s = dp::Progress::initial();
    for (const auto& e : {completed("l1"), done, DomainEvent{"ProgressReset", 1, {{"at", kT0}}}})
        s = dp::Progress::evolve(s, e);
    EXPECT_TRUE(s.completed.empty());
    EXPECT_TRUE(s.courseCompleted);
    EXPECT_EQ(s.certificateId, "LMS-CERT");
}

TEST(CertificateId, HasTheFormatAndACheckCharacterThatCatchesTypos) {
    std::set<std::string> seen;
    std::mt19937_64 draw(20261203);  // fixed: the same ids every run
    for (int n = 0; n < 300; ++n) {
        std::array<std::uint8_t, dc::kIdRandomBytes> random{};
        for (auto& b : random) b = static_cast<std::uint8_t>(draw() & 0xFF);
        const auto id = dc::certificateIdFrom(random);
        ASSERT_EQ(id.size(), 18u) << id;
        ASSERT_EQ(id.substr(0, 4), "LMS-");
        ASSERT_EQ(id[8], '-');
        ASSERT_EQ(id[13], '-');
        for (const char ch : id.substr(4))
            ASSERT_TRUE(ch == '-' || dc::kIdAlphabet.find(ch) != std::string_view::npos) << id;
        ASSERT_EQ(dc::parseCertificateId(id), id);
        seen.insert(id);
        // Every single-character change of a data or check character is refused.
        for (std::size_t at = 4; at < id.size(); ++at) {
            if (id[at] == '-') continue;
            for (const char other : dc::kIdAlphabet) {
                if (other == id[at]) continue;
                auto typo = id;
                typo[at] = other;
                ASSERT_FALSE(dc::parseCertificateId(typo).has_value()) << id << " -> " << typo;
            }
        }
    }
    EXPECT_EQ(seen.size(), 300u);
}

TEST(CertificateId, IsReadBackAsPeopleTypeIt) {
    std::array<std::uint8_t, dc::kIdRandomBytes> random{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde};
    const auto id = dc::certificateIdFrom(random);
    std::string lower;
    for (const char ch : id) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    EXPECT_EQ(dc::parseCertificateId(lower), id);
    std::string bare;
    for (const char ch : id.substr(4))
        if (ch != '-') bare.push_back(ch);
    EXPECT_EQ(dc::parseCertificateId(bare), id);
    // 0 typed as O, 1 as I or L.
    const std::string zeros = dc::certificateIdFrom({0, 0, 0, 0, 0, 0, 0});
    auto typed = zeros;
    for (auto& ch : typed)
        if (ch == '0') ch = 'O';
    EXPECT_EQ(dc::parseCertificateId(typed), zeros);
    EXPECT_FALSE(dc::parseCertificateId("").has_value());
    EXPECT_FALSE(dc::parseCertificateId("LMS-").has_value());
    EXPECT_FALSE(dc::parseCertificateId(id + "0").has_value());
    EXPECT_FALSE(dc::parseCertificateId("XYZ" + id.substr(3)).has_value());
    EXPECT_FALSE(dc::parseCertificateId("LMS-UUUU-UUUU-UUUU").has_value());  // U is not in the alphabet
    EXPECT_FALSE(dc::parseCertificateId("../../etc/passwd").has_value());
}

dc::CertificateIssued issued() { return {"LMS-X", "e1", "s1", "c1", "Rust", "Zoë", kT0}; }
DomainEvent issuedEvent() { return dc::CertificateEvents::encode(issued()); }

TEST(Certificate, EachStepOfEachRevisionIsRecordedOnce) {
    given<dc::Certificate>({})
        .when(dc::IssueCertificate{issued()})
        .then({{"CertificateIssued", issued().toJson()}})
        .when(dc::IssueCertificate{issued()})
        .then({})
        .when(dc::RecordStored{1, "aa", "k", kT0})
        .thenRefused("digest_mismatch")  // not rendered yet
        .when(dc::RecordRendered{1, "aa", 10, kT0})
        .then({{"CertificateRendered", {{"revision", 1}, {"sha256", "aa"}, {"bytes", 10}, {"at", kT0}}}})
        .when(dc::RecordRendered{1, "aa", 10, kT0})
        .then({})
        // Rendered again with other bytes (a new renderer) before anything was stored: the new digest stands.
        .when(dc::RecordRendered{1, "bb", 11, kT0})
        .then({{"CertificateRendered", {{"revision", 1}, {"sha256", "bb"}, {"bytes", 11}, {"at", kT0}}}})
        .when(dc::RecordStored{1, "aa", "k", kT0})
        .thenRefused("digest_mismatch")
        .when(dc::RecordStored{1, "bb", "k", kT0})
        .then({{"CertificateStored", {{"revision", 1}, {"sha256", "bb"}, {"objectKey", "k"}, {"at", kT0}}}})
        // Stored: the digest is the PDF's for good.
        .when(dc::RecordRendered{1, "cc", 12, kT0})
        .then({})
        .when(dc::RecordMailed{1, kT0})
        .then({{"CertificateMailed", {{"revision", 1}, {"at", kT0}}}})
        .when(dc::RecordMailed{1, kT0})
        .then({});
}

TEST(Certificate, AReissueMakesANewRevisionAndTheOldDigestIsSuperseded) {
    const DomainEvent rendered{"CertificateRendered", 1, {{"revision", 1}, {"sha256", "aa"}, {"bytes", 1}, {"at", kT0}}};
    given<dc::Certificate>({issuedEvent(), rendered})
        .when(dc::ReissueCertificate{"Rust 2", "Zoë A.", "name fixed", kT0})
        .then({{"CertificateReissued",
                {{"revision", 2},
                 {"studentId", "s1"},
                 {"courseTitle", "Rust 2"},
                 {"studentName", "Zoë A."},
                 {"reason", "name fixed"},
                 {"at", kT0}}}})
        .when(dc::RecordRendered{1, "cc", 1, kT0})
        .then({})  // work for the replaced revision
        .when(dc::RecordRendered{2, "dd", 1, kT0})
        .then({{"CertificateRendered", {{"revision", 2}, {"sha256", "dd"}, {"bytes", 1}, {"at", kT0}}}});
    auto s = dc::Certificate::initial();
    for (const auto& e : {issuedEvent(), rendered,
                          dc::CertificateEvents::encode(dc::CertificateReissued{2, "s1", "Rust 2", "Zoë A.", "", kT0}),
                          dc::CertificateEvents::encode(dc::CertificateRendered{2, "dd", 1, kT0})})
        s = dc::Certificate::evolve(s, e);
    EXPECT_EQ(s.current(), 2);
    EXPECT_EQ(s.revision(2)->sha256, "dd");
    EXPECT_EQ(s.superseded(), std::vector<std::string>{"aa"});
}

TEST(Certificate, RevokedWithAReasonOnceAndThenNotReissued) {
    given<dc::Certificate>({}).when(dc::RevokeCertificate{"fraud", kT0}).thenRefused("certificate_not_found");
    given<dc::Certificate>({issuedEvent()}).when(dc::RevokeCertificate{"", kT0}).thenRefused("validation_failed");
    given<dc::Certificate>({issuedEvent()})
        .when(dc::RevokeCertificate{std::string(501, 'x'), kT0})
        .thenRefused("validation_failed");
    given<dc::Certificate>({issuedEvent()})
        .when(dc::RevokeCertificate{"plagiarism", kT0})
        .then({{"CertificateRevoked", {{"reason", "plagiarism"}, {"at", kT0}}}})
        .when(dc::RevokeCertificate{"again", kT0})
        .then({})
        .when(dc::ReissueCertificate{"Rust", "Zoë", "", kT0})
        .thenRefused("certificate_revoked");
}

TEST(Certificate, TheCertificateOfAnErasedStudentIsNotReissued) {
    // Erased: the name opens to nothing, and a new PDF would have none to print.
    given<dc::Certificate>({issuedEvent()})
        .when(dc::ReissueCertificate{"Rust", "", "after the erasure", kT0})
        .thenRefused("student_erased");
}

TEST(Certificate, AnErasureRecordsEachStoredPdfDeletedOnce) {
    const DomainEvent stored1{
        "CertificateStored", 1, {{"revision", 1}, {"sha256", "aa"}, {"objectKey", "k1"}, {"at", kT0}}};
    given<dc::Certificate>({}).when(dc::RecordFilesErased{{"k1"}, kT0}).thenRefused("certificate_not_found");
    given<dc::Certificate>({issuedEvent()}).when(dc::RecordFilesErased{{"k1"}, kT0}).then({});  // nothing stored
    given<dc::Certificate>({issuedEvent(), stored1})
        .when(dc::RecordFilesErased{{"k1", "k1", "not-ours"}, kT0})
        .then({{"CertificateFilesErased", {{"objectKeys", {"k1"}}, {"at", kT0}}}})
        .when(dc::RecordFilesErased{{"k1"}, kT0})
        .then({});
}

TEST(Certificate, TheSignedBytesAreCanonical) {
    dc::VerificationFields f;
    f.certId = "LMS-X";
    f.status = "VALID";
    f.studentName = "محمد \"Zoë\"\n";
    f.courseId = "c1";
    f.courseTitle = "日本語";
    f.issuedAt = "2026-12-03T00:00:00.000000Z";
    f.sha256 = "ab";
    const auto text = dc::canonicalJson(dc::verificationJson(f));
    EXPECT_EQ(text,
              "{\"certId\":\"LMS-X\",\"course\":{\"id\":\"c1\",\"title\":\"日本語\"},\"issuedAt\":\"2026-12-03T00:00:"
              "00.000000Z\",\"sha256\":\"ab\",\"status\":\"VALID\",\"student\":{\"name\":\"محمد \\\"Zoë\\\"\\n\"},"
              "\"supersededSha256\":[]}");
    f.status = "REVOKED";
    f.revokedAt = "2026-12-04T00:00:00.000000Z";
    f.revocationReason = "fraud";
    EXPECT_NE(dc::canonicalJson(dc::verificationJson(f)).find("\"revocationReason\":\"fraud\""), std::string::npos);
    f.studentErased = true;
    EXPECT_NE(dc::canonicalJson(dc::verificationJson(f)).find("\"student\":{\"name\":null}"), std::string::npos);
}

}  // namespace
}  // namespace lms::domain
