#include "tests/support/pg_fixture.hpp"

#include <libpq-fe.h>

#include <cstdlib>
#include <algorithm>
#include <stdexcept>

#include "common/ids.hpp"
#include "eventstore/event_store.hpp"
#include "tests/support/master_keys.hpp"

namespace lms::test {

std::string adminUrl() {
    const char* u = std::getenv("LMS_TEST_DATABASE_URL");
    if (u == nullptr || *u == '\0') {
        throw std::runtime_error("LMS_TEST_DATABASE_URL is not set: run the tests through ops/test");
    }
    return u;
}

std::string withDatabase(const std::string& conninfo, const std::string& dbname) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (opts == nullptr) {
        std::string msg = err ? err : "bad conninfo";
        PQfreemem(err);
        throw std::runtime_error(msg);
    }
    std::string out;
    for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
        if (o->val == nullptr || std::string(o->keyword) == "dbname") continue;
        out += std::string(o->keyword) + "='" + o->val + "' ";
    }
    PQconninfoFree(opts);
    return out + "dbname='" + dbname + "'";
}

TestDatabase::TestDatabase() : admin_(adminUrl()) {
    testMasterKeys();  // what the test process seals and opens personal data with
    std::string id = newUuid();
    id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
    name_ = "lms_t_" + id.substr(16);
    pg::Connection admin(admin_);
    admin.exec("CREATE DATABASE " + name_);
    url_ = withDatabase(admin_, name_);
    pg::Connection c(url_);
    eventstore::migrate(c);
}

TestDatabase::~TestDatabase() {
    try {
        pg::Connection admin(admin_);
        admin.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {  // NOLINT(bugprone-empty-catch): the throw-away cluster is removed anyway
    }
}

}  // namespace lms::test
