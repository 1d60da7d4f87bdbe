// The pure parts of the stores: which keys are allowed, and the folder store's signed links
// (workers/storage/file_link.hpp): made, verified, and refused when tampered with or expired.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "common/sha256.hpp"
#include "workers/storage/file_link.hpp"
#include "workers/storage/object_store.hpp"

namespace lms::storage {
namespace {

TEST(ObjectKey, SpacesAndLettersOfAnyScriptAreFineEscapesAreNot) {
    for (const char* ok : {"a", "certificates/0190e0a7.pdf", "certificates/Zoë Ādams.pdf", "課程/証明書 1.pdf",
                           "a/b/c/d", "x..y", "x.", "-", "a+b=c&d"}) {
        EXPECT_TRUE(validKey(ok)) << ok;
    }
    for (const std::string& bad : std::vector<std::string>{"",
                                                           "/a",
                                                           "a/",
                                                           "a//b",
                                                           ".",
                                                           "..",
                                                           "../x",
                                                           "a/../b",
                                                           "a/./b",
                                                           ".hidden",
                                                           "a/.tmp",
                                                           "a\\b",
                                                           "a\nb",
                                                           std::string("a\0b", 3),
                                                           "a\x7f",
                                                           std::string(513, 'x'),
                                                           "\xff",
                                                           "\xc3",
                                                           "\xc0\xaf",
                                                           "\xed\xa0\x80",
                                                           "\xf4\x90\x80\x80"}) {
        EXPECT_FALSE(validKey(bad)) << bad;
    }
    EXPECT_TRUE(validKey(std::string(512, 'x')));
}

const std::string kLinkKey = fileLinkKey("a server secret of at least 32 bytes!!");
constexpr std::int64_t kExpires = 1700003600;

TEST(FileLink, TheKeyIsDerivedForThisPurposeAlone) {
    EXPECT_EQ(kLinkKey, deriveKey("a server secret of at least 32 bytes!!", "file-link"));
    EXPECT_NE(kLinkKey, fileLinkKey("another server secret of 32 bytes!!!!"));
}

TEST(FileLink, ALinkWeMadeGivesItsKeyBackUntilItExpires) {
    const std::string key = "certificates/Zoë Ādams + co.pdf";
    const auto target = fileLinkTarget(kLinkKey, key, kExpires);
    EXPECT_EQ(target.rfind("/files/certificates/Zo%C3%AB%20%C4%80dams%20%2B%20co.pdf?expires=1700003600&signature=", 0),
              0U)
        << target;
    for (const auto now : {std::int64_t{0}, kExpires - 3600, kExpires}) {
        const auto verdict = verifyFileLink(kLinkKey, target, now);
        ASSERT_TRUE(verdict.has_value()) << now;
        EXPECT_EQ(*verdict, key);
    }
    const auto late = verifyFileLink(kLinkKey, target, kExpires + 1);
    ASSERT_FALSE(late.has_value());
    EXPECT_EQ(late.error(), FileLinkRefusal::Expired);
    // Parameters we did not put there are ignored (a cache buster), their order too.
    const auto mark = target.find('?');
    const auto query = target.substr(mark + 1);
    const auto amp = query.find('&');
    const auto reordered = target.substr(0, mark) + "?v=2&" + query.substr(amp + 1) + "&" + query.substr(0, amp);
    EXPECT_TRUE(verifyFileLink(kLinkKey, reordered, kExpires).has_value()) << reordered;
}

FileLinkRefusal refusal(const std::string& target, std::int64_t now = kExpires - 10) {
    const auto verdict = verifyFileLink(kLinkKey, target, now);
    EXPECT_FALSE(verdict.has_value()) << target;
    return verdict.has_value() ? FileLinkRefusal::Malformed : verdict.error();
}

TEST(FileLink, TamperedLinksAreRefused) {
    const auto target = fileLinkTarget(kLinkKey, "certificates/a.pdf", kExpires);
    const auto signature = target.substr(target.find("signature=") + 10);
    // Another key, a later expiry, another signature, another server's key.
    EXPECT_EQ(refusal("/files/certificates/b.pdf?expires=1700003600&signature=" + signature),
              FileLinkRefusal::BadSignature);
    EXPECT_EQ(refusal("/files/certificates/a.pdf?expires=1700003601&signature=" + signature),
              FileLinkRefusal::BadSignature);
    EXPECT_EQ(refusal("/files/certificates/a.pdf?expires=01700003600&signature=" + signature),
              FileLinkRefusal::BadSignature);
    auto flipped = signature;
    flipped[10] = flipped[10] == 'a' ? 'b' : 'a';
    EXPECT_EQ(refusal("/files/certificates/a.pdf?expires=1700003600&signature=" + flipped),
              FileLinkRefusal::BadSignature);
    const auto other = fileLinkTarget(fileLinkKey("another server secret of 32 bytes!!!!"), "certificates/a.pdf",
                                      kExpires);
    EXPECT_EQ(refusal(other), FileLinkRefusal::BadSignature);
    // A tampered link is BadSignature even when it is past its (forged) expiry: Expired only
    // tells the holder of a real link that it is too late.
    EXPECT_EQ(refusal("/files/certificates/a.pdf?expires=1&signature=" + signature, kExpires + 100),
              FileLinkRefusal::BadSignature);
}

TEST(FileLink, LinksWeNeverMakeAreMalformed) {
    const auto target = fileLinkTarget(kLinkKey, "certificates/a.pdf", kExpires);
    const auto signature = target.substr(target.find("signature=") + 10);
    const auto q = "?expires=1700003600&signature=" + signature;
    for (const std::string& bad : std::vector<std::string>{
             "/file/certificates/a.pdf" + q,
             "/files/certificates/a.pdf",
             "/files/" + q,
             "/files/../x" + q,
             "/files/%2E%2E/x" + q,
             "/files/a%2" + q,
             "/files/a%zz" + q,
             "/files/a%00b" + q,
             "/files/certificates/a.pdf?expires=1700003600",
             "/files/certificates/a.pdf?signature=" + signature,
             "/files/certificates/a.pdf?expires=-1&signature=" + signature,
             "/files/certificates/a.pdf?expires=%2B1&signature=" + signature,
             "/files/certificates/a.pdf?expires=99999999999999999999&signature=" + signature,
             "/files/certificates/a.pdf?expires=&signature=" + signature,
             "/files/certificates/a.pdf?expires=1700003600&signature=" + signature.substr(1),
             "/files/certificates/a.pdf?expires=1700003600&signature=" + signature + "0",
             "/files/certificates/a.pdf?expires=1700003600&signature=" + signature.substr(0, 63) + "G",
             "/files/certificates/a.pdf" + q + "&expires=1700003600",
             "/files/certificates/a.pdf" + q + "&signature=" + signature,
         }) {
        EXPECT_EQ(refusal(bad), FileLinkRefusal::Malformed) << bad;
    }
    // Upper-case hex is not what we make: refused too.
    auto upper = signature;
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (upper != signature) {
        EXPECT_EQ(refusal("/files/certificates/a.pdf?expires=1700003600&signature=" + upper),
                  FileLinkRefusal::Malformed);
    }
}

TEST(FileLink, OnlyValidKeysGetLinks) {
    EXPECT_THROW(fileLinkTarget(kLinkKey, "../x", kExpires), std::invalid_argument);
    EXPECT_THROW(fileLinkTarget(kLinkKey, "", kExpires), std::invalid_argument);
}

}  // namespace
}  // namespace lms::storage
