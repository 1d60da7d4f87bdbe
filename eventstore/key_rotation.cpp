#include "eventstore/key_rotation.hpp"

#include <nlohmann/json.hpp>

#include "common/sha256.hpp"

namespace lms::eventstore {
namespace {

enum class Which { Clear, NotCurrent };

// Re-wraps under the current master key, batch by batch, the live keys stored in clear or (with
// NotCurrent) all those not under the current master key.
std::int64_t rewrap(pg::Connection& c, const MasterKeys& keys, Which which, int batch) {
    const std::string select =
        "SELECT subject_id, data_key, kek_id FROM lms_subject_keys WHERE subject_id > $1 AND data_key IS NOT NULL AND " +
        std::string(which == Which::Clear ? "kek_id IS NULL" : "kek_id IS DISTINCT FROM $3") +
        " ORDER BY subject_id LIMIT $2::int FOR UPDATE";
    std::int64_t done = 0;
    std::string after;  // keyset pagination on the primary key: each batch is an index range
    for (;;) {
        pg::Transaction tx(c);
        // FOR UPDATE: a shred waits for this batch, and a row shredded since the snapshot is
        // re-checked (data_key IS NOT NULL) and skipped, so that no erased key comes back.
        pg::Params params{after, std::to_string(batch)};
        if (which == Which::NotCurrent) params.emplace_back(keys.currentId());
        const auto r = c.query(select, params);
        if (r.rows() == 0) return done;
        auto rows = nlohmann::json::array();
        for (int i = 0; i < r.rows(); ++i) {
            const std::string subject = r.str(i, 0);
            const std::string dataKey = r.isNull(i, 2) ? r.bytea(i, 1)
                                                       : keys.unwrap(subject, {r.str(i, 2), r.bytea(i, 1)});
            rows.push_back({{"s", subject}, {"k", toHex(keys.wrap(subject, dataKey).bytes)}});
        }
        c.query(
            "UPDATE lms_subject_keys k SET data_key = decode(v.k, 'hex'), kek_id = $2 "
            "FROM jsonb_to_recordset($1::jsonb) AS v(s text, k text) WHERE k.subject_id = v.s",
            {rows.dump(), keys.currentId()});
        tx.commit();
        done += r.rows();
        after = r.str(r.rows() - 1, 0);
    }
}

}  // namespace

std::int64_t wrapClearDataKeys(pg::Connection& c, const MasterKeys& keys, int batch) {
    // The partial index lms_subject_keys_clear (migration 0006) makes this instant once none is left.
    return rewrap(c, keys, Which::Clear, batch);
}

Rotation rotateMasterKey(pg::Connection& c, const MasterKeys& keys, int batch) {
    Rotation out;
    const auto byKek = c.queryOnce(
        "SELECT kek_id, count(*) FROM lms_subject_keys WHERE data_key IS NOT NULL AND kek_id IS NOT NULL "
        "GROUP BY kek_id ORDER BY kek_id");
    std::string unknown;
    for (int i = 0; i < byKek.rows(); ++i) {
        const std::string id = byKek.str(i, 0);
        if (id == keys.currentId()) out.alreadyCurrent = byKek.i64(i, 1);
        if (!keys.knows(id)) unknown += (unknown.empty() ? "" : ", ") + byKek.str(i, 1) + " under " + id;
    }
    if (!unknown.empty()) {
        throw KeyError("data keys are wrapped under master keys this process was not given (" + unknown + "; it has " +
                       keys.describe() + "): add them to LMS_MASTER_KEY_PREVIOUS. Nothing was re-wrapped");
    }
    out.rewrapped = rewrap(c, keys, Which::NotCurrent, batch);
    return out;
}

}  // namespace lms::eventstore
