#include "eventstore/personal_data.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "common/jwt.hpp"
#include "common/secure.hpp"
#include "common/sha256.hpp"

namespace lms::eventstore {
namespace {

constexpr std::size_t kNonce = 12;
constexpr std::size_t kTag = 16;

using Ctx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

}  // namespace

std::optional<std::string> PersonalData::key(const std::string& subjectId, bool create) {
    if (create) {
        c_.query(
            "INSERT INTO lms_subject_keys (subject_id, data_key) VALUES ($1, decode($2, 'hex')) "
            "ON CONFLICT (subject_id) DO NOTHING",
            {subjectId, toHex(randomBytes(32))});
    }
    const auto r = c_.query("SELECT data_key FROM lms_subject_keys WHERE subject_id = $1", {subjectId});
    if (r.rows() == 0 || r.isNull(0, 0)) return std::nullopt;
    return r.bytea(0, 0);
}

std::string PersonalData::seal(const std::string& subjectId, const std::string& plaintext) {
    const auto k = key(subjectId, true);
    if (!k) throw std::runtime_error("subject " + subjectId + " was erased: its personal data cannot be written");
    const std::string nonce = randomBytes(kNonce);
    std::string out = nonce;
    out.resize(kNonce + plaintext.size() + kTag);
    Ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    int len = 0, total = 0;
    auto* o = reinterpret_cast<unsigned char*>(out.data()) + kNonce;
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(k->data()),
                           reinterpret_cast<const unsigned char*>(nonce.data())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(subjectId.data()),
                          static_cast<int>(subjectId.size())) != 1 ||
        EVP_EncryptUpdate(ctx.get(), o, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1) {
        throw std::runtime_error("AES-GCM encryption failed");
    }
    total = len;
    if (EVP_EncryptFinal_ex(ctx.get(), o + total, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, o + plaintext.size()) != 1) {
        throw std::runtime_error("AES-GCM encryption failed");
    }
    return "pd1:" + jwt::base64UrlEncode(out);
}

std::optional<std::string> PersonalData::open(const std::string& subjectId, const std::string& sealed) {
    if (!isSealed(sealed)) return std::nullopt;
    const auto raw = jwt::base64UrlDecode(std::string_view(sealed).substr(4));
    if (!raw || raw->size() < kNonce + kTag) return std::nullopt;
    const auto k = key(subjectId, false);
    if (!k) return std::nullopt;
    const std::size_t n = raw->size() - kNonce - kTag;
    std::string plain(n, '\0');
    Ctx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
    int len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(raw->data());
    std::string tag = raw->substr(kNonce + n);
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(k->data()),
                           in) != 1 ||
        EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(subjectId.data()),
                          static_cast<int>(subjectId.size())) != 1 ||
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, in + kNonce,
                          static_cast<int>(n)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1) {
        return std::nullopt;
    }
    int fin = 0;
    if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &fin) != 1) {
        return std::nullopt;  // tampered, or sealed for another subject
    }
    return plain;
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
