#include "common/sha256.hpp"
#include "eventstore/event_store.hpp"
#include "eventstore/migrations.hpp"

namespace lms::eventstore {

int migrate(pg::Connection& c) {
    pg::Transaction tx(c);
    // One migrator at a time: several processes may start together.
    c.exec("SELECT pg_advisory_xact_lock(7283001)");
    c.exec(
        "CREATE TABLE IF NOT EXISTS lms_schema_migrations (version int PRIMARY KEY, name text NOT NULL, "
        "sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    const auto done = c.queryOnce("SELECT version, name, sha256 FROM lms_schema_migrations ORDER BY version");
    int applied = 0;
    const auto& all = embeddedMigrations();
    for (std::size_t i = 0; i < all.size(); ++i) {
        const auto& m = all[i];
        const int version = std::stoi(m.name.substr(0, 4));
        const std::string sum = toHex(sha256(m.sql));
        if (static_cast<int>(i) < done.rows()) {
            if (done.str(static_cast<int>(i), 1) != m.name || done.str(static_cast<int>(i), 2) != sum) {
                throw std::runtime_error("migration " + m.name +
                                         " differs from the one applied to this database; released migrations "
                                         "are never edited: add a new one");
            }
            continue;
        }
        c.exec(m.sql);
        c.queryOnce("INSERT INTO lms_schema_migrations (version, name, sha256) VALUES ($1, $2, $3)",
                    {std::to_string(version), m.name, sum});
        ++applied;
    }
    if (done.rows() > static_cast<int>(all.size())) {
        throw std::runtime_error("the database has migrations this build does not know: upgrade lms");
    }
    tx.commit();
    return applied;
}

}  // namespace lms::eventstore
