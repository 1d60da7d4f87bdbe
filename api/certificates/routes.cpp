#include "api/certificates/routes.hpp"

#include "api/http/body.hpp"
#include "api/http/problem.hpp"
#include "common/html.hpp"
#include "api/http/query.hpp"
#include "common/jwt.hpp"
#include "common/secrets.hpp"
#include "common/sha256.hpp"
#include "domain/certificates/certificate_id.hpp"
#include "workers/storage/file_link.hpp"

namespace lms::certificates {
namespace {

namespace dc = domain::certificates;
using api::signedIn;
using http::problem;
using http::Request;
using http::Response;
using nlohmann::json;

// PDF links (LMS_FILE_LINK_TTL_S) are made from the time rounded down to five minutes, so that
// the answers of those five minutes are the same bytes (caches keep them).
constexpr std::int64_t kLinkStepUs = 300'000'000;

Response notFound(const Request& req) {
    return problem(404, "certificate_not_found", "no such certificate", req.requestId);
}

constexpr const char* kPageStyle =
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}"
    "h1{font-size:1.4rem}.valid{color:#0a6b2d}.revoked{color:#a11}dt{font-weight:600;margin-top:.8rem}"
    "dd{margin:0;overflow-wrap:anywhere}code{font-size:.85rem}";

std::string base64Sha256(std::string_view s) {
    // Standard base64 (CSP hashes are not base64url).
    std::string b = jwt::base64UrlEncode(sha256(s));
    for (auto& ch : b) {
        if (ch == '-') ch = '+';
        if (ch == '_') ch = '/';
    }
    while (b.size() % 4 != 0) b.push_back('=');
    return b;
}

}  // namespace

Routes::Routes(api::Services& services)
    : services_(services),
      key_(certificateSigningKey(services.env.config)),
      store_(storage::makeObjectStore(services.env.config, services.secret, services.env.clock)) {
    if (services.env.config.s3Endpoint.empty() && services.env.config.s3Bucket.empty())
        fileLinkKey_ = storage::fileLinkKey(services.secret);
}

Commands Routes::commands(pg::Connection& c) {
    return Commands(c, services_.env.clock,
                    [this](const std::vector<eventstore::RecordedEvent>& events) { services_.feed.committed(events); });
}

json Routes::document(const CertificateRow& row) {
    dc::VerificationFields f;
    f.certId = row.certId;
    f.status = row.revokedAt ? "REVOKED" : "VALID";
    f.studentErased = !row.studentName.has_value();
    f.studentName = row.studentName.value_or("");
    f.courseId = row.courseId;
    f.courseTitle = row.courseTitle;
    f.issuedAt = row.issuedAt;
    f.sha256 = row.sha256.value_or("");
    f.superseded = row.superseded;
    f.revokedAt = row.revokedAt.value_or("");
    f.revocationReason = row.revokedReason.value_or("");
    auto body = dc::verificationJson(f);
    const auto signature = key_.sign(dc::canonicalJson(body));
    body["signature"] = jwt::base64UrlEncode(signature);
    body["signatureKeyId"] = key_.jwk()["kid"];
    body["pdfUrl"] = nullptr;
    if (row.objectKey && row.sha256) {
        const auto now = services_.env.clock.nowUs();
        body["pdfUrl"] = store_->link(*row.objectKey, now - now % kLinkStepUs,
                                      std::chrono::seconds(services_.env.config.fileLinkTtlS));
    }
    return body;
}

Response Routes::verify(Request& req) {
    const auto id = dc::parseCertificateId(req.params["certId"]);
    if (!id) return notFound(req);
    auto conn = services_.pool.acquire();
    const auto row = projections::certificates::findCertificate(*conn, *id);
    if (!row) return notFound(req);
    auto res = http::json(200, document(*row));
    // Public: a revocation is seen within a minute by whoever caches it.
    res.headers.push_back({"Cache-Control", "public, max-age=60"});
    res.headers.push_back({"ETag", "\"" + sha256Hex(res.body).substr(0, 32) + "\""});
    if (req.header("if-none-match") == res.headers.back().second) {
        Response unchanged{304, "", "", res.headers};
        return unchanged;
    }
    return res;
}

Response Routes::verifyPage(Request& req) {
    const auto id = dc::parseCertificateId(req.params["certId"]);
    std::optional<CertificateRow> row;
    if (id) {
        auto conn = services_.pool.acquire();
        row = projections::certificates::findCertificate(*conn, *id);
    }
    std::string main;
    if (!row) {
        main = "<h1>No such certificate</h1><p>No certificate has the id <code>" +
               escapeHtml(req.params["certId"].substr(0, 40)) + "</code>. Check it character by character.</p>";
    } else {
        const auto d = document(*row);
        const bool revoked = row->revokedAt.has_value();
        main = std::string("<h1 class=\"") + (revoked ? "revoked\">Revoked certificate" : "valid\">Valid certificate") +
               "</h1><dl><dt>Certificate</dt><dd><code>" + escapeHtml(row->certId) +
               "</code></dd><dt>Awarded to</dt><dd>" +
               escapeHtml(row->studentName.value_or("(erased at the person's request)")) + "</dd><dt>Course</dt><dd>" +
               escapeHtml(row->courseTitle) + "</dd><dt>Issued</dt><dd>" + escapeHtml(row->issuedAt) + "</dd>";
        if (revoked)
            main += "<dt>Revoked</dt><dd>" + escapeHtml(*row->revokedAt) + ": " +
                    escapeHtml(row->revokedReason.value_or("")) + "</dd>";
        if (row->sha256) main += "<dt>PDF sha256</dt><dd><code>" + escapeHtml(*row->sha256) + "</code></dd>";
        main += "<dt>Signature (Ed25519)</dt><dd><code>" + escapeHtml(d["signature"].get<std::string>()) +
                "</code></dd></dl>";
        if (d["pdfUrl"].is_string())
            main += "<p><a href=\"" + escapeHtml(d["pdfUrl"].get<std::string>()) + "\" rel=\"noopener\">The PDF</a></p>";
        main += "<p>The signature covers <code>GET /api/v1/certificates/" + escapeHtml(row->certId) +
                "</code> and verifies with <code>GET /api/v1/certificates/public-key</code>.</p>";
    }
    Response res{row ? 200 : 404,
                 "text/html; charset=utf-8",
                 "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                 "content=\"width=device-width,initial-scale=1\"><title>Certificate verification</title><style>" +
                     std::string(kPageStyle) + "</style></head><body>" + main + "</body></html>",
                 {}};
    res.headers.push_back(
        {"Content-Security-Policy", "default-src 'none'; style-src 'sha256-" + base64Sha256(kPageStyle) +
                                        "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"});
    res.headers.push_back({"X-Content-Type-Options", "nosniff"});
    res.headers.push_back({"Referrer-Policy", "no-referrer"});
    res.headers.push_back({"Cache-Control", "public, max-age=60"});
    return res;
}

Response Routes::publicKey(Request&) {
    auto res = http::json(200, key_.jwk());
    res.headers.push_back({"Cache-Control", "public, max-age=3600"});
    return res;
}

Response Routes::mine(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    http::Query query(req.query);
    const auto paging = query.paging();
    if (!query.errors.empty()) return http::invalid(query.errors, req.requestId, "the query has invalid parameters");
    auto conn = services_.pool.acquire();
    const auto found = projections::certificates::certificatesOf(*conn, p->userId, paging);
    json items = json::array();
    for (const auto& row : found.items) items.push_back(document(row));
    return http::json(200, http::listBody(std::move(items), found.totalItems, paging));
}

Response Routes::revoke(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    if (auto refused = http::requireRole(*p, "ADMIN", req)) return *refused;
    auto j = http::parseObject(req.body);
    if (!j) return problem(400, "malformed_json", j.error(), req.requestId);
    http::Fields fields(*j);
    const auto reason = fields.required("reason");
    if (!fields.errors.empty()) return http::invalid(fields.errors, req.requestId);
    const auto id = dc::parseCertificateId(req.params["certId"]);
    if (!id) return notFound(req);
    auto conn = services_.pool.acquire();
    auto done = commands(*conn).revoke(*id, reason, http::metadataOf(req, p->userId));
    if (!done) return http::fromDomain(done.error(), req.requestId);
    return http::json(200, document(*done));
}

Response Routes::reissue(Request& req) {
    auto p = signedIn(services_, req);
    if (!p) return p.error();
    if (auto refused = http::requireRole(*p, "ADMIN", req)) return *refused;
    std::string reason;
    if (!req.body.empty()) {
        auto j = http::parseObject(req.body);
        if (!j) return problem(400, "malformed_json", j.error(), req.requestId);
        http::Fields fields(*j);
        reason = fields.optional("reason").value_or("");
        if (!fields.errors.empty()) return http::invalid(fields.errors, req.requestId);
    }
    const auto id = dc::parseCertificateId(req.params["certId"]);
    if (!id) return notFound(req);
    auto conn = services_.pool.acquire();
    auto done = commands(*conn).reissue(*id, reason, http::metadataOf(req, p->userId));
    if (!done) return http::fromDomain(done.error(), req.requestId);
    // The new PDF is rendered by the certificate worker: sha256 is null until then.
    return http::json(202, document(*done));
}

Response Routes::file(Request& req) {
    if (fileLinkKey_.empty()) return problem(404, "not_found", "files are served by the object store", req.requestId);
    const std::string target = req.path + (req.query.empty() ? "" : "?" + req.query);
    const auto key = storage::verifyFileLink(fileLinkKey_, target, services_.env.clock.nowUs() / 1'000'000);
    if (!key) {
        switch (key.error()) {
            case storage::FileLinkRefusal::Expired:
                return problem(410, "link_expired", "the link has expired: ask for a new one", req.requestId);
            case storage::FileLinkRefusal::BadSignature:
                return problem(403, "link_invalid", "the link is not one this server made", req.requestId);
            case storage::FileLinkRefusal::Malformed: break;
        }
        return problem(404, "not_found", "no such file", req.requestId);
    }
    const auto bytes = store_->get(*key);
    if (!bytes) return problem(404, "not_found", "no such file", req.requestId);
    Response res{200, "application/pdf", *bytes, {}};
    res.headers.push_back({"Cache-Control", "private, max-age=300"});
    res.headers.push_back({"X-Content-Type-Options", "nosniff"});
    return res;
}

void Routes::mount(http::Router& r) {
    r.add("GET", "/api/v1/certificates/public-key", [this](Request& q) { return publicKey(q); });
    r.add("GET", "/api/v1/certificates/{certId}", [this](Request& q) { return verify(q); });
    r.add("GET", "/verify/{certId}", [this](Request& q) { return verifyPage(q); });
    r.add("GET", "/api/v1/users/me/certificates", [this](Request& q) { return mine(q); });
    r.add("POST", "/api/v1/admin/certificates/{certId}/revoke", [this](Request& q) { return revoke(q); });
    r.add("POST", "/api/v1/admin/certificates/{certId}/reissue", [this](Request& q) { return reissue(q); });
    r.add("GET", "/files/certificates/{certId}/{file}", [this](Request& q) { return file(q); });
}

}  // namespace lms::certificates
