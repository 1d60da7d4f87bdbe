// The HTTP kit (api/http) as values: no sockets. Problems and the one DomainError mapping, body
// fields and query strings collecting every fault, cookies, credentials, the CSRF check, roles.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/http/auth.hpp"
#include "api/http/body.hpp"
#include "api/http/cookies.hpp"
#include "api/http/problem.hpp"
#include "api/http/query.hpp"
#include "api/http/router.hpp"

namespace lms {
namespace {

using nlohmann::json;
using Kind = domain::DomainError::Kind;

std::vector<std::string> fieldsOf(const std::vector<domain::FieldError>& errors) {
    std::vector<std::string> out;
    for (const auto& e : errors) out.push_back(e.field);
    return out;
}

http::Request request(std::string method, std::map<std::string, std::string> headers = {}) {
    http::Request r;
    r.method = std::move(method);
    r.headers = std::move(headers);
    r.requestId = "req-1";
    return r;
}

}  // namespace

TEST(HttpKit, EveryDomainErrorKindHasOneStatus) {
    EXPECT_EQ(http::statusOf(Kind::Validation), 422);
    EXPECT_EQ(http::statusOf(Kind::Conflict), 409);
    EXPECT_EQ(http::statusOf(Kind::NotFound), 404);
    EXPECT_EQ(http::statusOf(Kind::Forbidden), 403);
    EXPECT_EQ(http::statusOf(Kind::Unauthenticated), 401);
    EXPECT_EQ(http::statusOf(Kind::Stale), 412);
    const auto res = http::fromDomain(
        {Kind::Validation, "validation_failed", "bad", "email", {{"email", "is not valid"}, {"password", "is short"}}},
        "req-9");
    EXPECT_EQ(res.status, 422);
    EXPECT_EQ(res.contentType, "application/problem+json");
    const auto body = json::parse(res.body);
    EXPECT_EQ(body["code"], "validation_failed");
    EXPECT_EQ(body["requestId"], "req-9");
    EXPECT_EQ(body["title"], "Unprocessable Content");
    EXPECT_EQ(body["errors"].size(), 2u);
    EXPECT_FALSE(json::parse(http::problem(404, "not_found", "no", "r").body).contains("errors"));
}

TEST(HttpKit, BodyFieldsCollectEveryFaultAndMergeTheDomainsWithoutRepeats) {
    const auto body = http::parseObject(R"({"email": 5, "limit": 1000, "extra": true, "ok": "yes"})");
    ASSERT_TRUE(body.has_value());
    http::Fields f(*body);
    (void)f.required("email");
    (void)f.required("password");
    EXPECT_EQ(f.optional("ok").value_or(""), "yes");
    EXPECT_FALSE(f.integer("limit", 1, 100).has_value());
    f.onlyThese({"email", "password", "ok", "limit"});
    f.merge({{"email", "is not a valid email address"}, {"firstName", "must not be empty"}});
    EXPECT_EQ(fieldsOf(f.errors), (std::vector<std::string>{"email", "password", "limit", "extra", "firstName"}));
    EXPECT_FALSE(http::parseObject("[1]").has_value());
    EXPECT_FALSE(http::parseObject("{").has_value());
}

TEST(HttpKit, QueryStringsAreDecodedBoundedAndPaged) {
    http::Query q("page=2&limit=50&q=ada%20l%C3%B6&role=STUDENT&empty=");
    const auto page = q.paging();
    EXPECT_EQ(page.page, 2);
    EXPECT_EQ(page.limit, 50);
    EXPECT_EQ(page.offset(), 50);
    EXPECT_EQ(q.text("q").value_or(""), "ada l\xC3\xB6");
    EXPECT_EQ(q.oneOf("role", {"STUDENT", "ADMIN"}).value_or(""), "STUDENT");
    EXPECT_FALSE(q.text("empty").has_value());
    EXPECT_TRUE(q.errors.empty());

    http::Query bad("page=0&limit=abc&role=KING&q=" + std::string(201, 'x'));
    (void)bad.paging();
    (void)bad.oneOf("role", {"STUDENT", "INSTRUCTOR", "ADMIN"});
    (void)bad.text("q", 200);
    EXPECT_EQ(fieldsOf(bad.errors), (std::vector<std::string>{"page", "limit", "role", "q"}));
    EXPECT_EQ(bad.errors[2].message, "must be STUDENT, INSTRUCTOR or ADMIN");

    const auto list = http::listBody(json::array({1, 2}), 41, {3, 20});
    EXPECT_EQ(list["meta"], (json{{"totalItems", 41}, {"itemsPerPage", 20}, {"totalPages", 3}, {"currentPage", 3}}));
    EXPECT_EQ(http::urlDecode("a+b%2"), "a b%2");
}

TEST(HttpKit, CookiesAreReadAndWritten) {
    const auto jar = http::cookiesOf(request("GET", {{"cookie", "a=1; access_token=xyz;  csrf_token=c"}}));
    EXPECT_EQ(jar.at("access_token"), "xyz");
    EXPECT_EQ(jar.at("csrf_token"), "c");
    EXPECT_EQ(http::setCookie("csrf_token", "c", {"/", 60, false, true}),
              "csrf_token=c; Path=/; Max-Age=60; SameSite=Lax; Secure");
    EXPECT_EQ(http::setCookie("access_token", "", {"/api", 0, true, false}),
              "access_token=; Path=/api; Max-Age=0; SameSite=Lax; HttpOnly");
}

TEST(HttpKit, CredentialsComeFromTheBearerHeaderElseTheCookie) {
    auto both = http::credentialOf(request("GET", {{"authorization", "Bearer tok"}, {"cookie", "access_token=ck"}}),
                                   "access_token");
    ASSERT_TRUE(both.has_value());
    EXPECT_EQ(both->token, "tok");
    EXPECT_FALSE(both->viaCookie);
    auto cookie = http::credentialOf(request("GET", {{"cookie", "access_token=ck"}}), "access_token");
    ASSERT_TRUE(cookie.has_value());
    EXPECT_TRUE(cookie->viaCookie);
    EXPECT_FALSE(http::credentialOf(request("GET", {{"authorization", "Basic x"}}), "access_token").has_value());
}

TEST(HttpKit, CookieAuthenticatedUnsafeRequestsNeedTheSignedProof) {
    const std::string proof = "signed-proof";
    const auto withProof = request("POST", {{"cookie", "csrf_token=" + proof}, {"x-csrf-token", proof}});
    EXPECT_FALSE(http::checkCsrf(withProof, true, proof).has_value());
    // A planted cookie and header that agree with each other but not with the server's proof.
    const auto planted = request("POST", {{"cookie", "csrf_token=evil"}, {"x-csrf-token", "evil"}});
    const auto refused = http::checkCsrf(planted, true, proof);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 403);
    EXPECT_EQ(json::parse(refused->body)["code"], "csrf_failed");
    EXPECT_TRUE(http::checkCsrf(request("PATCH", {{"x-csrf-token", proof}}), true, proof).has_value());
    // Safe methods and bearer-authenticated requests need no proof.
    EXPECT_FALSE(http::checkCsrf(request("GET"), true, proof).has_value());
    EXPECT_FALSE(http::checkCsrf(request("POST"), false, proof).has_value());
}

TEST(HttpKit, RoleChecksAndEventMetadata) {
    const http::Principal student{"u1", "STUDENT", "s1", false};
    const auto req = request("GET");
    const auto refused = http::requireRole(student, "ADMIN", req);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->status, 403);
    EXPECT_FALSE(http::requireRole({"u2", "ADMIN", "s2", false}, "ADMIN", req).has_value());
    const auto meta = http::metadataOf(req, "u1");
    EXPECT_EQ(meta.actorId, "u1");
    EXPECT_EQ(meta.correlationId, "req-1");
}

}  // namespace lms

namespace lms {

TEST(HttpKit, OnlyCanonicalPathsAreRouted) {
    http::Router router;
    router.add("GET", "/metrics", [](http::Request&) { return http::Response{}; });
    router.add("GET", "/api/v1/admin/users", [](http::Request&) { return http::Response{}; });
    std::map<std::string, std::string> params;
    bool exists = false;
    EXPECT_NE(router.match("GET", "/metrics", params, exists), nullptr);
    EXPECT_NE(router.match("GET", "/api/v1/admin/users", params, exists), nullptr);
    for (const char* path :
         {"//metrics", "/metrics/", "/api/v1//admin///users", "metrics", "", "/api/v1/admin/users/"}) {
        EXPECT_EQ(router.match("GET", path, params, exists), nullptr) << path;
        EXPECT_FALSE(exists) << path;
    }
}

TEST(HttpKit, AProblemEchoingBytesThatAreNotUtf8IsStillOneJsonDocument) {
    const auto res = http::problem(404, "not_found", "no such resource: /api/v1/\xff\xfe", "req-1");
    const auto body = json::parse(res.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << res.body;
    EXPECT_EQ(body["status"], 404);
    EXPECT_NE(body["detail"].get<std::string>().find("\xEF\xBF\xBD"), std::string::npos);  // U+FFFD
    EXPECT_NO_THROW((void)http::json(200, {{"x", "text/\xe9"}}));
}

TEST(HttpKit, EveryStringFieldPassesTheTextRule) {
    const json body{{"email", std::string("a@b.org\0x", 9)}, {"bio", "two\nlines"}, {"name", "two\nlines"}};
    http::Fields f(body);
    (void)f.required("email");
    EXPECT_EQ(f.optional("bio", http::Fields::Lines::Multiple), "two\nlines");
    EXPECT_EQ(f.optional("name"), std::nullopt);
    EXPECT_EQ(fieldsOf(f.errors), (std::vector<std::string>{"email", "name"}));
    EXPECT_NE(f.errors[0].message.find("U+0000"), std::string::npos) << f.errors[0].message;
}

}  // namespace lms
