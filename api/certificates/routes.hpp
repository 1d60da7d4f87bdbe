#pragma once
// Certificates over HTTP: public verification (JSON, signed with Ed25519, and a small HTML page
// for people who scan the QR code), the public key, a student's certificates, an admin's revoke
// and reissue, and the signed expiring links of the embedded file store (/files/...).
#include <memory>
#include <string>

#include "api/certificates/commands.hpp"
#include "api/context.hpp"
#include "common/ed25519.hpp"
#include "workers/storage/object_store.hpp"

namespace lms::certificates {

class Routes final : public api::HttpSide {
public:
    explicit Routes(api::Services& services);
    void mount(http::Router& router) override;

    http::Response verify(http::Request& req);
    http::Response verifyPage(http::Request& req);
    http::Response publicKey(http::Request& req);
    http::Response mine(http::Request& req);
    http::Response revoke(http::Request& req);
    http::Response reissue(http::Request& req);
    http::Response file(http::Request& req);

    // The verification document of a certificate, signed, with a link to its PDF when stored.
    nlohmann::json document(const CertificateRow& row);

private:
    Commands commands(pg::Connection& c);

    api::Services& services_;
    Ed25519Key key_;
    std::unique_ptr<storage::ObjectStore> store_;
    std::string fileLinkKey_;  // set when the store is the folder, whose links this API serves
};

}  // namespace lms::certificates
