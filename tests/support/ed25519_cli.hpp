#pragma once
// An Ed25519 signature checked by OpenSSL's command line, not by our code: the raw public key
// wrapped in its SubjectPublicKeyInfo (RFC 8410), the message and the signature in files.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/ids.hpp"

namespace lms::test {

inline bool opensslVerifiesEd25519(const std::string& publicKey, const std::string& message,
                                   const std::string& signature) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("lms-verify-" + newUuid().substr(24));
    fs::create_directories(dir);
    const std::string der = std::string("\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00", 12) + publicKey;
    std::ofstream(dir / "key.der", std::ios::binary) << der;
    std::ofstream(dir / "message", std::ios::binary) << message;
    std::ofstream(dir / "signature", std::ios::binary) << signature;
    const int rc = std::system(("openssl pkeyutl -verify -pubin -keyform DER -inkey " + (dir / "key.der").string() +
                                " -rawin -in " + (dir / "message").string() + " -sigfile " +
                                (dir / "signature").string() + " >/dev/null 2>&1")
                                   .c_str());
    std::error_code ec;
    fs::remove_all(dir, ec);
    return rc == 0;
}

}  // namespace lms::test
