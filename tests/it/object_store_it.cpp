// The object stores against what they store into: S3Store against s3rver (an S3-compatible server
// in Node, tests/s3/package.json; ops/test installs it), started on a free port for each test, and
// FolderStore against a scratch folder.
//
// s3rver does not check SigV4 signatures (its authentication middleware: "Signature version 4
// calculation is unimplemented"): it checks the access key id (S3RVER), that x-amz-content-sha256
// is there, the request time against its clock (15 minutes) and a presigned URL's expiry, which is
// why these tests sign with the real clock. That the signatures are right is proven elsewhere:
// tests/unit/sigv4_test.cpp (AWS's published vectors) and tests/providers (byte-equal to AWS's SDK).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>

#include "common/clock.hpp"
#include "common/secure.hpp"
#include "common/sha256.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/s3rver.hpp"
#include "workers/storage/file_link.hpp"
#include "workers/storage/folder_store.hpp"
#include "workers/storage/object_store.hpp"
#include "workers/storage/s3_store.hpp"

namespace lms::storage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kS3Dir = LMS_TESTS_S3_DIR;
const sigv4::Credentials kS3rver{"S3RVER", "S3RVER", ""};  // the one account s3rver knows

// A PDF-like body: binary bytes, a NUL, CR LF, non-ASCII.
std::string pdfBytes(std::size_t size) {
    std::string out = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\r\n";
    out += std::string("\0\xff", 2);
    while (out.size() < size) out += randomBytes(64);
    out.resize(size);
    return out;
}

fs::path scratchDir(const std::string& what) {
    auto dir = fs::temp_directory_path() /
               ("lms-" + what + "-" + std::to_string(::getpid()) + "-" + toHex(randomBytes(4)));
    fs::create_directories(dir);
    return dir;
}

// s3rver with the bucket `certs` (tests/support/s3rver.hpp).
class S3rver : public test::S3rver {
public:
    S3rver() : test::S3rver(kS3Dir) {}
    S3Location location(const std::string& bucket = "certs") const { return {endpoint(), "us-east-1", bucket, true}; }
};

// GET of a URL on 127.0.0.1 (a presigned link) with no credential but the URL itself.
test::Reply fetch(const std::string& url, int port) {
    const auto origin = "http://127.0.0.1:" + std::to_string(port);
    EXPECT_EQ(url.rfind(origin + "/", 0), 0U) << url;
    return test::call(port, "GET", url.substr(origin.size()));
}

TEST(S3Store, PutGetAndThePresignedLinkGiveBackTheSameBytes) {
    S3rver server;
    S3Store store(server.location(), kS3rver);
    const std::string key = "certificates/Zoë Ādams 課程 +1.pdf";
    const auto bytes = pdfBytes(300 * 1024);
    store.put(key, bytes, "application/pdf");
    const auto got = store.get(key);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->size(), bytes.size());
    EXPECT_TRUE(*got == bytes);

    const auto url = store.link(key, Clock::system().nowUs(), 300s);
    EXPECT_NE(url.find("X-Amz-Expires=300&"), std::string::npos) << url;
    const auto reply = fetch(url, server.port());
    EXPECT_EQ(reply.status, 200) << reply.raw.substr(0, 500);
    EXPECT_TRUE(reply.raw == bytes);
    EXPECT_EQ(reply.contentType, "application/pdf");

    // A second put replaces the object.
    store.put(key, "%PDF-2", "application/pdf");
    EXPECT_EQ(store.get(key).value_or("(none)"), "%PDF-2");
    EXPECT_EQ(fetch(store.link(key, Clock::system().nowUs(), 60s), server.port()).raw, "%PDF-2");
}

TEST(S3Store, AMissingKeyIsNothingAndAnEmptyObjectIsSomething) {
    S3rver server;
    S3Store store(server.location(),
                  {"S3RVER", "S3RVER", "a-session-token/+="});  // the token is sent; s3rver ignores it
    EXPECT_FALSE(store.get("certificates/never-stored.pdf").has_value());
    store.put("certificates/empty.pdf", "", "application/pdf");
    const auto empty = store.get("certificates/empty.pdf");
    ASSERT_TRUE(empty.has_value());
    EXPECT_EQ(*empty, "");
}

TEST(S3Store, AnExpiredPresignedLinkIsRefused) {
    S3rver server;
    S3Store store(server.location(), kS3rver);
    store.put("certificates/a.pdf", "%PDF", "application/pdf");
    const auto now = Clock::system().nowUs();
    const auto expired = fetch(store.link("certificates/a.pdf", now - 3600'000'000LL, 60s), server.port());
    EXPECT_EQ(expired.status, 403);
    EXPECT_NE(expired.raw.find("<Code>AccessDenied</Code>"), std::string::npos) << expired.raw;
    EXPECT_NE(expired.raw.find("Request has expired"), std::string::npos) << expired.raw;
    EXPECT_EQ(expired.raw.find("%PDF"), std::string::npos);
    // The same link made now works: what was refused is the expiry, not the link.
    EXPECT_EQ(fetch(store.link("certificates/a.pdf", now, 60s), server.port()).status, 200);
}

// The StorageError's message, or "" when none was thrown.
template <typename Work>
std::string storageError(Work work) {
    try {
        work();
    } catch (const StorageError& e) {
        return e.what();
    }
    return {};
}

TEST(S3Store, ErrorsNameTheStatusAndS3sCode) {
    S3rver server;
    S3Store noBucket(server.location("no-such-bucket"), kS3rver);
    const auto put = storageError([&] { noBucket.put("a.pdf", "x", "application/pdf"); });
    EXPECT_NE(put.find("s3 PUT no-such-bucket/a.pdf: HTTP 404 NoSuchBucket"), std::string::npos) << put;
    // A missing bucket is broken configuration, not a missing object.
    const auto get = storageError([&] { (void)noBucket.get("a.pdf"); });
    EXPECT_NE(get.find("HTTP 404 NoSuchBucket"), std::string::npos) << get;

    S3Store stranger(server.location(), {"AKIDNOBODY", "secret", ""});
    const auto refused = storageError([&] { stranger.put("a.pdf", "x", "application/pdf"); });
    EXPECT_NE(refused.find("HTTP 403 InvalidAccessKeyId"), std::string::npos) << refused;

    // Nobody listening: the connection's failure, as a StorageError.
    S3Store closed({"http://127.0.0.1:1", "us-east-1", "certs", true}, kS3rver, Clock::system(), 2s);
    EXPECT_NE(storageError([&] { closed.put("a.pdf", "x", "application/pdf"); }).find("s3 PUT certs/a.pdf: "),
              std::string::npos);
}

TEST(S3Store, ARemovedObjectIsGoneItsLinkIsRefusedAndRemovingItAgainIsNoError) {
    S3rver server;
    S3Store store(server.location(), kS3rver);
    const std::string key = "certificates/Zoë Ādams.pdf";
    store.put(key, "%PDF a name", "application/pdf");
    store.put("certificates/other.pdf", "%PDF another", "application/pdf");
    const auto url = store.link(key, Clock::system().nowUs(), 300s);
    ASSERT_EQ(fetch(url, server.port()).status, 200);
    store.remove(key);
    EXPECT_FALSE(store.get(key).has_value());
    EXPECT_EQ(fetch(url, server.port()).status, 404) << "the link handed out before fetches nothing";
    EXPECT_NO_THROW(store.remove(key)) << "a retry deletes nothing and succeeds";
    EXPECT_EQ(store.get("certificates/other.pdf").value_or(""), "%PDF another") << "only that object";
    S3Store noBucket(server.location("no-such-bucket"), kS3rver);
    const auto refused = storageError([&] { noBucket.remove("a.pdf"); });
    EXPECT_NE(refused.find("s3 DELETE no-such-bucket/a.pdf: HTTP 404 NoSuchBucket"), std::string::npos) << refused;
}

TEST(S3Store, ARequestDatedFarFromTheServersClockIsRefused) {
    // The clock is the store's: with one an hour off, s3rver (like S3) refuses the request. A
    // check that the store dates its requests with the clock it is given.
    S3rver server;
    ManualClock hourAgo(Clock::system().nowUs() - 3600'000'000LL);
    S3Store store(server.location(), kS3rver, hourAgo);
    const auto error = storageError([&] { store.put("a.pdf", "x", "application/pdf"); });
    EXPECT_NE(error.find("HTTP 403 RequestTimeTooSkewed"), std::string::npos) << error;
}

TEST(S3Store, InvalidKeysAreRefusedBeforeAnyRequest) {
    S3Store store({"http://127.0.0.1:1", "us-east-1", "certs", true}, kS3rver);
    for (const std::string key : {"../x", "/etc/passwd", "a//b", ".hidden"}) {
        EXPECT_THROW(store.put(key, "x", "application/pdf"), std::invalid_argument) << key;
        EXPECT_THROW((void)store.get(key), std::invalid_argument) << key;
        EXPECT_THROW((void)store.link(key, 0, 60s), std::invalid_argument) << key;
    }
}

// The folder store: a scratch folder, links signed with a key of the test's.
class FolderStoreTest : public ::testing::Test {
protected:
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
    fs::path root_ = scratchDir("objects");
    fs::path folder_ = root_ / "objects";
    std::string linkKey_ = fileLinkKey("the server secret of this test, 32+ bytes");
    FolderStore store_{folder_, "https://lms.example.com/", linkKey_};
};

TEST_F(FolderStoreTest, PutGetAndReadGiveBackTheBytesAndTheType) {
    const std::string key = "certificates/Zoë Ādams 課程.pdf";
    const auto bytes = pdfBytes(64 * 1024);
    EXPECT_FALSE(store_.get(key).has_value());
    store_.put(key, bytes, "application/pdf");
    EXPECT_TRUE(store_.get(key).value_or("") == bytes);
    const auto object = store_.read(key);
    ASSERT_TRUE(object.has_value());
    EXPECT_EQ(object->contentType, "application/pdf");
    EXPECT_TRUE(object->bytes == bytes);
    EXPECT_TRUE(fs::is_regular_file(folder_ / "certificates" / "Zoë Ādams 課程.pdf"));

    store_.put(key, "", "text/plain");  // replaced, and empty is an object
    EXPECT_EQ(store_.get(key).value_or("(none)"), "");
    EXPECT_EQ(store_.read(key)->contentType, "text/plain");
    // No temporary file is left behind; a key that is a folder of other keys is no object.
    for (const auto& entry : fs::recursive_directory_iterator(folder_)) {
        EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
    }
    EXPECT_FALSE(store_.get("certificates").has_value());
}

TEST_F(FolderStoreTest, ARemovedObjectIsGoneAndRemovingItAgainIsNoError) {
    const std::string key = "certificates/LMS-X/1-ab.pdf";
    store_.put(key, "%PDF a name", "application/pdf");
    store_.put("certificates/LMS-X/2-cd.pdf", "%PDF another", "application/pdf");
    store_.remove(key);
    EXPECT_FALSE(store_.get(key).has_value());
    EXPECT_FALSE(fs::exists(folder_ / "certificates" / "LMS-X" / "1-ab.pdf"));
    EXPECT_NO_THROW(store_.remove(key));
    EXPECT_NO_THROW(store_.remove("certificates/never-stored.pdf"));
    EXPECT_EQ(store_.get("certificates/LMS-X/2-cd.pdf").value_or(""), "%PDF another");
    EXPECT_THROW(store_.remove("../x"), std::invalid_argument);
}

TEST_F(FolderStoreTest, KeysThatWouldLeaveTheFolderAreRefused) {
    fs::create_directories(root_ / "outside");
    std::ofstream(root_ / "x") << "outside";
    for (const std::string& key : std::vector<std::string>{"../x", "a/../../x", "/etc/passwd", "..", ".", "a//b", "a/",
                                                           ".hidden", "a\\..\\x", std::string("a\0b", 3)}) {
        EXPECT_THROW(store_.put(key, "x", "text/plain"), std::invalid_argument) << key;
        EXPECT_THROW((void)store_.get(key), std::invalid_argument) << key;
        EXPECT_THROW((void)store_.link(key, 0, 60s), std::invalid_argument) << key;
    }
    EXPECT_FALSE(fs::exists(folder_));  // nothing was written anywhere
    std::ifstream in(root_ / "x");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "outside");
}

TEST_F(FolderStoreTest, ASymlinkPlantedInTheFolderIsNotFollowed) {
    std::ofstream(root_ / "secret") << "not an object";
    fs::create_directories(folder_);
    fs::create_symlink(root_ / "secret", folder_ / "planted.pdf");
    EXPECT_THROW((void)store_.get("planted.pdf"), StorageError);
}

TEST_F(FolderStoreTest, LinksVerifyUntilTheyExpireAndNotWhenTampered) {
    const std::string key = "certificates/Zoë 1.pdf";
    store_.put(key, "%PDF", "application/pdf");
    constexpr std::int64_t kNowUs = 1'700'000'000'000'000;
    const auto url = store_.link(key, kNowUs, 600s);
    const std::string origin = "https://lms.example.com";
    ASSERT_EQ(url.rfind(origin + "/files/certificates/Zo%C3%AB%201.pdf?expires=1700000600&signature=", 0), 0U) << url;
    const auto target = url.substr(origin.size());
    // What the API's route does with it (workers/storage/README.md).
    const auto verdict = verifyFileLink(linkKey_, target, 1'700'000'000);
    ASSERT_TRUE(verdict.has_value());
    EXPECT_EQ(*verdict, key);
    EXPECT_EQ(store_.read(*verdict)->bytes, "%PDF");
    EXPECT_TRUE(verifyFileLink(linkKey_, target, 1'700'000'600).has_value());

    const auto expired = verifyFileLink(linkKey_, target, 1'700'000'601);
    ASSERT_FALSE(expired.has_value());
    EXPECT_EQ(expired.error(), FileLinkRefusal::Expired);
    const auto otherKey = verifyFileLink(linkKey_, std::regex_replace(target, std::regex("Zo%C3%AB"), "Zoe"),
                                         1'700'000'000);
    ASSERT_FALSE(otherKey.has_value());
    EXPECT_EQ(otherKey.error(), FileLinkRefusal::BadSignature);
    const auto later = verifyFileLink(linkKey_, std::regex_replace(target, std::regex("1700000600"), "1800000600"),
                                      1'700'000'000);
    ASSERT_FALSE(later.has_value());
    EXPECT_EQ(later.error(), FileLinkRefusal::BadSignature);
    const auto otherServer = verifyFileLink(fileLinkKey("another server secret, also 32+ bytes"), target, 1'700'000'000);
    ASSERT_FALSE(otherServer.has_value());
    EXPECT_EQ(otherServer.error(), FileLinkRefusal::BadSignature);
    EXPECT_THROW((void)store_.link(key, kNowUs, 0s), std::invalid_argument);
    EXPECT_THROW((void)store_.link(key, kNowUs, 604801s), std::invalid_argument);
}

TEST(ObjectStoreFactory, S3WhenAnEndpointOrABucketIsConfiguredTheFolderOtherwise) {
    Config config;
    config.dataDir = "/tmp/lms-data";
    config.publicUrl = "http://127.0.0.1:8080";
    const auto folder = makeObjectStore(config, "the server secret of this test, 32+ bytes");
    EXPECT_EQ(folder->describe(), "folder /tmp/lms-data/objects");
    EXPECT_EQ(folder->link("a.pdf", 0, 60s).rfind("http://127.0.0.1:8080/files/a.pdf?expires=60&signature=", 0), 0U);

    config.s3Endpoint = "http://127.0.0.1:9000";
    config.s3Bucket = "certs";
    config.s3Region = "eu-west-2";
    config.s3AccessKeyId = "AKID";
    config.s3SecretAccessKey = "secret";
    const auto s3 = makeObjectStore(config, "the server secret of this test, 32+ bytes");
    EXPECT_EQ(s3->describe(), "s3 http://127.0.0.1:9000 bucket certs (eu-west-2, path-style)");
    EXPECT_NE(s3->link("a.pdf", 0, 60s).find("http://127.0.0.1:9000/certs/a.pdf?X-Amz-Algorithm="), std::string::npos);

    config.s3Bucket = "Not_A_Bucket";
    EXPECT_THROW((void)makeObjectStore(config, "secret"), ConfigError);
}

}  // namespace
}  // namespace lms::storage
