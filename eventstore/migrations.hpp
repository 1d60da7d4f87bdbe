#pragma once
#include <string>
#include <vector>

namespace lms::eventstore {

struct Migration {
    std::string name;  // file name: NNNN_description.sql
    std::string sql;
};

// Every migration in eventstore/migrations/, in order, as embedded at build time.
const std::vector<Migration>& embeddedMigrations();

}  // namespace lms::eventstore
