#pragma once
// Ed25519 (RFC 8032, pure EdDSA) on OpenSSL: the signatures anyone can check offline with the
// public key alone (certificates: docs/decisions/0022-certificates.md).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lms {

class Ed25519Key {
public:
    // From the 32-byte seed (RFC 8032's "secret key"); throws std::invalid_argument otherwise.
    explicit Ed25519Key(std::string_view seed);
    ~Ed25519Key();
    Ed25519Key(const Ed25519Key&) = delete;
    Ed25519Key& operator=(const Ed25519Key&) = delete;

    // The 32-byte public key.
    const std::string& publicKey() const { return public_; }
    // The 64-byte signature of message (deterministic: the same message, the same signature).
    std::string sign(std::string_view message) const;
    // The public key as a JSON Web Key (RFC 8037): {"kty":"OKP","crv":"Ed25519","x":...,"kid":...}.
    // kid is the RFC 7638 thumbprint, base64url.
    nlohmann::json jwk() const;

private:
    void* key_ = nullptr;  // EVP_PKEY
    std::string public_;
};

// True when signature is publicKey's over message.
bool ed25519Verify(std::string_view publicKey, std::string_view message, std::string_view signature);

}  // namespace lms
