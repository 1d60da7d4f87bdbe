#include "common/ed25519.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "common/jwt.hpp"
#include "common/sha256.hpp"

namespace lms {
namespace {

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

Ed25519Key::Ed25519Key(std::string_view seed) {
    if (seed.size() != 32) throw std::invalid_argument("an Ed25519 seed is 32 bytes");
    EVP_PKEY* k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytes(seed), seed.size());
    if (k == nullptr) throw std::runtime_error("Ed25519: OpenSSL refused the seed");
    key_ = k;
    public_.resize(32);
    std::size_t n = public_.size();
    if (EVP_PKEY_get_raw_public_key(k, reinterpret_cast<unsigned char*>(public_.data()), &n) != 1 || n != 32) {
        EVP_PKEY_free(k);
        throw std::runtime_error("Ed25519: no public key");
    }
}

Ed25519Key::~Ed25519Key() { EVP_PKEY_free(static_cast<EVP_PKEY*>(key_)); }

std::string Ed25519Key::sign(std::string_view message) const {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    std::string sig(64, '\0');
    std::size_t n = sig.size();
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, static_cast<EVP_PKEY*>(key_)) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &n, bytes(message), message.size()) !=
            1 ||
        n != 64)
        throw std::runtime_error("Ed25519: signing failed");
    return sig;
}

nlohmann::json Ed25519Key::jwk() const {
    const std::string x = jwt::base64UrlEncode(public_);
    // RFC 7638: the required members in lexicographic order, no whitespace.
    const std::string thumbprint = R"({"crv":"Ed25519","kty":"OKP","x":")" + x + "\"}";
    return {{"kty", "OKP"},   {"crv", "Ed25519"}, {"x", x}, {"kid", jwt::base64UrlEncode(sha256(thumbprint))},
            {"alg", "EdDSA"}, {"use", "sig"}};
}

bool ed25519Verify(std::string_view publicKey, std::string_view message, std::string_view signature) {
    if (publicKey.size() != 32 || signature.size() != 64) return false;
    std::unique_ptr<EVP_PKEY, PkeyFree> k(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(publicKey), publicKey.size()));
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!k || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, k.get()) != 1) return false;
    return EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message), message.size()) == 1;
}

}  // namespace lms
