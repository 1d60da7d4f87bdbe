#include "eventstore/personal_data.hpp"

#include <stdexcept>

#include "common/aead.hpp"
#include "common/jwt.hpp"
#include "common/secure.hpp"
#include "common/sha256.hpp"
#include "eventstore/master_keys.hpp"

namespace lms::eventstore {

std::optional<std::string> PersonalData::key(const std::string& subjectId, bool create) {
    const MasterKeys& keys = MasterKeys::required();
    if (create) {
        // Wrapped before it is first stored: no clear data key reaches a tuple, the WAL or a backup.
        const auto w = keys.wrap(subjectId, randomBytes(aead::kKeyBytes));
        c_.query(
            "INSERT INTO lms_subject_keys (subject_id, data_key, kek_id) VALUES ($1, decode($2, 'hex'), $3) "
            "ON CONFLICT (subject_id) DO NOTHING",
            {subjectId, toHex(w.bytes), w.kekId});
    }
    const auto r = c_.query("SELECT data_key, kek_id FROM lms_subject_keys WHERE subject_id = $1", {subjectId});
    if (r.rows() == 0 || r.isNull(0, 0)) return std::nullopt;
    // Stored in clear before migration 0006 (or by an older lms during an upgrade): it still opens,
    // and the next `lms serve` start or `lms keys rotate-master` wraps it (wrapClearDataKeys).
    if (r.isNull(0, 1)) return r.bytea(0, 0);
    return keys.unwrap(subjectId, {r.str(0, 1), r.bytea(0, 0)});
}

std::string PersonalData::seal(const std::string& subjectId, const std::string& plaintext) {
    const auto k = key(subjectId, true);
    if (!k) throw std::runtime_error("subject " + subjectId + " was erased: its personal data cannot be written");
    return "pd1:" + jwt::base64UrlEncode(aead::seal(*k, subjectId, plaintext));
}

std::optional<std::string> PersonalData::open(const std::string& subjectId, const std::string& sealed) {
    if (!isSealed(sealed)) return std::nullopt;
    const auto raw = jwt::base64UrlDecode(std::string_view(sealed).substr(4));
    if (!raw || raw->size() < aead::kNonceBytes + aead::kTagBytes) return std::nullopt;
    const auto k = key(subjectId, false);
    if (!k) return std::nullopt;
    return aead::open(*k, subjectId, *raw);  // nothing: tampered, or sealed for another subject
}

domain::DomainEvent PersonalData::sealFields(const std::string& subjectId, domain::DomainEvent e,
                                             std::span<const std::string_view> fields) {
    for (const auto f : fields) {
        const auto it = e.data.find(f);
        if (it != e.data.end() && it->is_string()) *it = seal(subjectId, it->get<std::string>());
    }
    return e;
}

domain::DomainEvent PersonalData::openFields(const std::string& subjectId, domain::DomainEvent e,
                                             std::span<const std::string_view> fields) {
    for (const auto f : fields) {
        const auto it = e.data.find(f);
        if (it == e.data.end() || !it->is_string() || !isSealed(it->get_ref<const std::string&>())) continue;
        const auto plain = open(subjectId, it->get<std::string>());
        *it = plain ? nlohmann::json(*plain) : nlohmann::json(nullptr);  // erased: nothing left to read
    }
    return e;
}

void PersonalData::shred(const std::string& subjectId) {
    c_.query(
        "INSERT INTO lms_subject_keys (subject_id, data_key, shredded_at) VALUES ($1, NULL, now()) "
        "ON CONFLICT (subject_id) DO UPDATE SET data_key = NULL, shredded_at = coalesce(lms_subject_keys.shredded_at, now())",
        {subjectId});
}

}  // namespace lms::eventstore
