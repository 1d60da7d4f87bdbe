#include "common/password.hpp"

#include <argon2.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

#include "common/secure.hpp"

namespace lms::password {
namespace {

argon2_type typeOf(Variant v) {
    switch (v) {
        case Variant::Argon2d: return Argon2_d;
        case Variant::Argon2i: return Argon2_i;
        default: return Argon2_id;
    }
}

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kTagBytes = 32;

}  // namespace

std::string encodeWithSalt(Variant v, std::uint32_t version, std::uint32_t timeCost, std::uint32_t memoryKiB,
                           std::uint32_t parallelism, const std::string& password, const std::string& salt,
                           std::size_t tagLength) {
    const argon2_type type = typeOf(v);
    const std::size_t len = argon2_encodedlen(timeCost, memoryKiB, parallelism, static_cast<std::uint32_t>(salt.size()),
                                              static_cast<std::uint32_t>(tagLength), type);
    std::vector<char> encoded(len);
    const int rc = argon2_hash(timeCost, memoryKiB, parallelism, password.data(), password.size(), salt.data(),
                               salt.size(), nullptr, tagLength, encoded.data(), encoded.size(), type,
                               static_cast<argon2_version>(version));
    if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2: ") + argon2_error_message(rc));
    return std::string(encoded.data());
}

std::string hash(const std::string& password, const Cost& cost) {
    const std::string salt = randomBytes(kSaltBytes);
    return encodeWithSalt(Variant::Argon2id, ARGON2_VERSION_13, cost.timeCost, cost.memoryKiB, cost.parallelism,
                          password, salt, kTagBytes);
}

bool verify(const std::string& phc, const std::string& password) {
    argon2_type type = Argon2_id;
    if (phc.rfind("$argon2id$", 0) == 0) {
        type = Argon2_id;
    } else if (phc.rfind("$argon2i$", 0) == 0) {
        type = Argon2_i;
    } else if (phc.rfind("$argon2d$", 0) == 0) {
        type = Argon2_d;
    } else {
        return false;
    }
    return argon2_verify(phc.c_str(), password.data(), password.size(), type) == ARGON2_OK;
}

bool needsRehash(const std::string& phc, const Cost& cost) {
    unsigned m = 0, t = 0, p = 0;
    if (std::sscanf(phc.c_str(), "$argon2id$v=19$m=%u,t=%u,p=%u$", &m, &t, &p) != 3) return true;
    return m < cost.memoryKiB || t < cost.timeCost || p < cost.parallelism;
}

std::string rawTag(Variant v, std::uint32_t version, std::uint32_t timeCost, std::uint32_t memoryKiB,
                   std::uint32_t parallelism, const std::string& password, const std::string& salt,
                   const std::string& secret, const std::string& associatedData, std::size_t tagLength) {
    std::string out(tagLength, '\0');
    std::string pwd = password, slt = salt, sec = secret, ad = associatedData;  // argon2_ctx may wipe inputs
    argon2_context ctx{};
    ctx.out = reinterpret_cast<uint8_t*>(out.data());
    ctx.outlen = static_cast<uint32_t>(tagLength);
    ctx.pwd = reinterpret_cast<uint8_t*>(pwd.data());
    ctx.pwdlen = static_cast<uint32_t>(pwd.size());
    ctx.salt = reinterpret_cast<uint8_t*>(slt.data());
    ctx.saltlen = static_cast<uint32_t>(slt.size());
    ctx.secret = sec.empty() ? nullptr : reinterpret_cast<uint8_t*>(sec.data());
    ctx.secretlen = static_cast<uint32_t>(sec.size());
    ctx.ad = ad.empty() ? nullptr : reinterpret_cast<uint8_t*>(ad.data());
    ctx.adlen = static_cast<uint32_t>(ad.size());
    ctx.t_cost = timeCost;
    ctx.m_cost = memoryKiB;
    ctx.lanes = parallelism;
    ctx.threads = parallelism;
    ctx.version = version;
    ctx.flags = ARGON2_DEFAULT_FLAGS;
    const int rc = argon2_ctx(&ctx, typeOf(v));
    if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2: ") + argon2_error_message(rc));
    return out;
}

}  // namespace lms::password
