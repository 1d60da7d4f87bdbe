// `lms keys rotate-master` and the master key as an operator meets them: the real binary, a real
// PostgreSQL. The data keys are sealed in this process under the test master key, which the
// binary is given as LMS_MASTER_KEY (tests/support/lms_env.hpp).
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "common/ids.hpp"
#include "common/secure.hpp"
#include "common/sha256.hpp"
#include "eventstore/personal_data.hpp"
#include "tests/support/lms_env.hpp"
#include "tests/support/master_keys.hpp"
#include "tests/support/pg_fixture.hpp"
#include "tests/support/process.hpp"

namespace lms {
namespace {

namespace fs = std::filesystem;

bool has(const std::string& out, const std::string& needle) { return out.find(needle) != std::string::npos; }

fs::path freshDirectory() {
    std::string tpl = (fs::temp_directory_path() / "lms-keys-it.XXXXXX").string();
    return mkdtemp(tpl.data());
}

TEST(Keys, HelpListsRotateMaster) {
    const auto [usageStatus, usage] = test::runLms({"--help"}, {});
    EXPECT_EQ(usageStatus, 0);
    EXPECT_TRUE(has(usage, "keys ")) << usage;
    const auto [helpStatus, help] = test::runLms({"keys", "--help"}, test::lmsEnvironment(""));
    EXPECT_EQ(helpStatus, 0);
    EXPECT_TRUE(has(help, "usage: lms keys rotate-master")) << help;
    const auto [bareStatus, bare] = test::runLms({"keys"}, test::lmsEnvironment(""));
    EXPECT_EQ(bareStatus, 2) << bare;
}

TEST(Keys, ABadMasterKeyStopsLmsAtStartWithALineNamingTheVariable) {
    const auto [status, out] = test::runLms({"migrate"}, test::lmsEnvironment("", {{"LMS_MASTER_KEY", "hunter2"}}));
    EXPECT_EQ(status, 78);
    EXPECT_TRUE(has(out, "LMS_MASTER_KEY must be 64 hex characters")) << out;
    EXPECT_FALSE(has(out, "hunter2")) << "a secret is not repeated: " << out;
    const auto [prevStatus, prevOut] =
        test::runLms({"migrate"}, test::lmsEnvironment("", {{"LMS_MASTER_KEY_PREVIOUS", std::string(62, 'f')}}));
    EXPECT_EQ(prevStatus, 78);
    EXPECT_TRUE(has(prevOut, "LMS_MASTER_KEY_PREVIOUS must be 64 hex characters")) << prevOut;
}

// Unset, the master key is generated into the data directory once, readable by its owner only,
// and the next run uses the same one: what the first run wrapped, the second finds current.
TEST(Keys, AGeneratedMasterKeyIsPrivateAndTheSameAfterARestart) {
    test::TestDatabase db;
    const fs::path dir = freshDirectory();
    const auto env = test::lmsEnvironment(db.url(), {{"LMS_MASTER_KEY", ""}, {"LMS_DATA_DIR", dir.string()}});
    const std::string cmd = "printf 'a long admin passphrase\\n' | '" + test::lmsBinary() +
                            "' admin create --email ops@example.com";
    test::Process admin({"/bin/sh", "-c", cmd}, env, true);
    admin.waitForLine("admin created", std::chrono::seconds(60));
    ASSERT_EQ(admin.wait(), 0);

    const fs::path file = dir / "master-key";
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream in(file);
    std::string hex;
    in >> hex;
    ASSERT_EQ(hex.size(), 64u);
    ASSERT_TRUE(fromHex(hex).has_value());

    const auto [status, out] = test::runLms({"keys", "rotate-master"}, env);
    EXPECT_EQ(status, 0) << out;
    const auto id = eventstore::MasterKeys::idOf(*fromHex(hex));
    EXPECT_TRUE(has(out, "0 data key(s) re-wrapped under master key " + id + ", 1 already current")) << out;
    std::ifstream again(file);
    std::string after;
    again >> after;
    EXPECT_EQ(after, hex);
    fs::remove_all(dir);
}

TEST(Keys, RotateMasterReWrapsUnderTheNewKeyAndAProcessWithOnlyTheOldOneIsRefused) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    std::vector<std::pair<std::string, std::string>> people;
    for (int i = 0; i < 3; ++i) {
        const std::string s = "user-" + newUuid();
        people.emplace_back(s, eventstore::PersonalData(c).seal(s, "person " + std::to_string(i)));
    }
    const std::string newKey = randomBytes(32);
    const std::string newId = eventstore::MasterKeys::idOf(newKey);
    const auto rotating = test::lmsEnvironment(
        db.url(), {{"LMS_MASTER_KEY", toHex(newKey)}, {"LMS_MASTER_KEY_PREVIOUS", test::kTestMasterKeyHex}});

    const auto [status, out] = test::runLms({"keys", "rotate-master"}, rotating);
    EXPECT_EQ(status, 0) << out;
    EXPECT_TRUE(has(out, "3 data key(s) re-wrapped under master key " + newId + ", 0 already current")) << out;
    const auto [againStatus, againOut] = test::runLms({"keys", "rotate-master"}, rotating);
    EXPECT_EQ(againStatus, 0) << againOut;
    EXPECT_TRUE(has(againOut, "0 data key(s) re-wrapped under master key " + newId + ", 3 already current")) << againOut;

    // Only the old key (LMS_MASTER_KEY_PREVIOUS dropped too early): refused, nothing changed.
    const auto [oldStatus, oldOut] = test::runLms({"keys", "rotate-master"}, test::lmsEnvironment(db.url()));
    EXPECT_EQ(oldStatus, 1) << oldOut;
    EXPECT_TRUE(has(oldOut, "3 under " + newId)) << oldOut;
    EXPECT_TRUE(has(oldOut, "Nothing was re-wrapped")) << oldOut;
    EXPECT_THROW((void)eventstore::PersonalData(c).open(people[0].first, people[0].second), eventstore::KeyError);

    const eventstore::MasterKeys newOnly(newKey);
    const test::UsingMasterKeys withNew(&newOnly);
    for (const auto& [subject, sealed] : people)
        EXPECT_NE(eventstore::PersonalData(c).open(subject, sealed), std::nullopt);
}

// An upgrade: keys stored in clear by an older lms are wrapped when `lms serve` starts.
TEST(Keys, ServeWrapsTheKeysStoredInClearAtStart) {
    test::TestDatabase db;
    pg::Connection c(db.url());
    const std::string clearKey = randomBytes(32);
    c.query("INSERT INTO lms_subject_keys (subject_id, data_key) VALUES ('user-old', decode($1, 'hex'))",
            {toHex(clearKey)});
    const auto sealed = eventstore::PersonalData(c).seal("user-old", "from an older lms");
    test::Process serve({test::lmsBinary(), "serve", "--only", "projections"}, test::lmsEnvironment(db.url()), true);
    serve.waitForLine("lms: serving", std::chrono::seconds(60));
    serve.kill(SIGTERM);
    EXPECT_EQ(serve.wait(), 0);
    const auto r = c.exec("SELECT encode(data_key, 'hex'), kek_id FROM lms_subject_keys WHERE subject_id = 'user-old'");
    EXPECT_EQ(r.str(0, 1), test::testMasterKeys().currentId());
    EXPECT_FALSE(has(r.str(0, 0), toHex(clearKey)));
    EXPECT_EQ(eventstore::PersonalData(c).open("user-old", sealed), "from an older lms");
}

}  // namespace
}  // namespace lms
