#pragma once
#include <string>

#include "eventstore/pg.hpp"

namespace lms::test {

// Every row of a table as text, in primary-key order: for comparing read models.
inline std::string dumpTable(pg::Connection& c, const std::string& qualified, const std::string& orderBy) {
    const auto r = c.exec("SELECT t::text FROM " + qualified + " t ORDER BY " + orderBy);
    std::string out;
    for (int i = 0; i < r.rows(); ++i) {
        out += r.str(i, 0);
        out += '\n';
    }
    return out;
}

}  // namespace lms::test
