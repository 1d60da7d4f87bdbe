#pragma once
// A throw-away database per test suite, on the PostgreSQL that ops/test starts
// (LMS_TEST_DATABASE_URL points at its maintenance database), migrated with the repo's own
// migrations and dropped afterwards. The first one installs the test master key in the process
// (tests/support/master_keys.hpp).
#include <string>

namespace lms::test {

class TestDatabase {
public:
    TestDatabase();
    ~TestDatabase();
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;
    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }

private:
    std::string admin_;
    std::string name_;
    std::string url_;
};

// The maintenance connection string; fails the test run with a clear message when unset.
std::string adminUrl();
// conninfo with dbname replaced.
std::string withDatabase(const std::string& conninfo, const std::string& dbname);

}  // namespace lms::test
