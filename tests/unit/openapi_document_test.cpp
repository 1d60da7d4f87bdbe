// The served OpenAPI document, as merged at build time from api/openapi.json and the contexts'
// api/*/openapi.json: one valid 3.1 document whose references all resolve inside it, and whose
// operations document the statuses the server answers on every route.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "api/openapi.hpp"

namespace lms {
namespace {

using nlohmann::json;

const json& document() {
    static const json doc = json::parse(api::openApiDocument());
    return doc;
}

// The value a local reference ("#/components/...") points at, or nullptr.
const json* resolve(const json& doc, const std::string& ref) {
    if (ref.rfind("#/", 0) != 0) return nullptr;
    const json* at = &doc;
    std::size_t i = 2;
    while (true) {
        const auto slash = ref.find('/', i);
        std::string token = ref.substr(i, slash == std::string::npos ? std::string::npos : slash - i);
        for (std::size_t k = 0; (k = token.find('~', k)) != std::string::npos; ++k) {
            if (k + 1 < token.size() && token[k + 1] == '1') token.replace(k, 2, "/");
            else if (k + 1 < token.size() && token[k + 1] == '0') token.replace(k, 2, "~");
        }
        if (at->is_object()) {
            const auto it = at->find(token);
            if (it == at->end()) return nullptr;
            at = &*it;
        } else if (at->is_array()) {
            if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos) return nullptr;
            const auto index = std::stoul(token);
            if (index >= at->size()) return nullptr;
            at = &(*at)[index];
        } else {
            return nullptr;
        }
        if (slash == std::string::npos) return at;
        i = slash + 1;
    }
}

void collectRefs(const json& j, const std::string& where, std::vector<std::pair<std::string, std::string>>& out) {
    if (j.is_object()) {
        for (const auto& [k, v] : j.items()) {
            if (k == "$ref" && v.is_string()) out.emplace_back(where, v.get<std::string>());
            else collectRefs(v, where + "/" + k, out);
        }
    } else if (j.is_array()) {
        for (std::size_t i = 0; i < j.size(); ++i) collectRefs(j[i], where + "/" + std::to_string(i), out);
    }
}

struct Operation {
    std::string method;  // upper case
    std::string path;
    const json* op;
    std::string name() const { return method + " " + path; }
};

std::vector<Operation> operations(const json& doc) {
    static const std::set<std::string> methods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};
    std::vector<Operation> out;
    for (const auto& [path, item] : doc.at("paths").items()) {
        for (const auto& [method, op] : item.items()) {
            if (methods.count(method) == 0) continue;
            std::string m = method;
            for (auto& ch : m) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            out.push_back({m, path, &op});
        }
    }
    return out;
}

bool documents(const Operation& o, const char* status) {
    return o.op->contains("responses") && o.op->at("responses").contains(status);
}

// The response object of a status, through its $ref when it has one.
const json* response(const json& doc, const Operation& o, const char* status) {
    if (!documents(o, status)) return nullptr;
    const json& r = o.op->at("responses").at(status);
    return r.contains("$ref") ? resolve(doc, r.at("$ref").get<std::string>()) : &r;
}

bool needsSignIn(const json& doc, const Operation& o) {
    const json* security = o.op->contains("security") ? &o.op->at("security")
                           : doc.contains("security") ? &doc.at("security")
                                                      : nullptr;
    if (security == nullptr || !security->is_array() || security->empty()) return false;
    for (const auto& requirement : *security) {
        if (requirement.is_object() && requirement.empty()) return false;  // {} : anonymous allowed
    }
    return true;
}

bool takesBody(const Operation& o) { return o.method == "POST" || o.method == "PUT" || o.method == "PATCH"; }

}  // namespace

TEST(OpenApiDocument, IsOneOpenApi31Document) {
    const json& doc = document();
    ASSERT_TRUE(doc.is_object());
    ASSERT_TRUE(doc.contains("openapi") && doc["openapi"].is_string());
    EXPECT_EQ(doc["openapi"].get<std::string>().rfind("3.1", 0), 0u) << doc["openapi"];
    EXPECT_TRUE(doc.contains("info"));
    ASSERT_TRUE(doc.contains("paths") && doc["paths"].is_object());
    EXPECT_FALSE(doc["paths"].empty());
    // The identity fragment is merged in, beside the root's own paths and components.
    EXPECT_TRUE(doc["paths"].contains("/api/v1/health"));
    EXPECT_TRUE(doc["paths"].contains("/api/v1/auth/login"));
    EXPECT_TRUE(doc["components"]["schemas"].contains("Problem"));
    EXPECT_TRUE(doc["components"]["schemas"].contains("User"));
}

TEST(OpenApiDocument, EveryPostTakesAnIdempotencyKey) {
    const json& doc = document();
    for (const auto& o : operations(doc)) {
        if (o.method != "POST") continue;
        bool documented = false;
        for (const auto& p : o.op->value("parameters", json::array())) {
            documented = documented || p.value("$ref", "") == "#/components/parameters/IdempotencyKey";
        }
        EXPECT_TRUE(documented) << o.name() << " does not document the Idempotency-Key header";
    }
}

TEST(OpenApiDocument, EveryRefResolvesInsideTheDocument) {
    const json& doc = document();
    std::vector<std::pair<std::string, std::string>> refs;
    collectRefs(doc, "#", refs);
    EXPECT_FALSE(refs.empty());
    for (const auto& [where, ref] : refs) {
        EXPECT_NE(resolve(doc, ref), nullptr) << where << ": $ref " << ref << " does not resolve in the document";
    }
}

TEST(OpenApiDocument, EveryOperationDocumentsTheStatusesTheServerAnswersOnEveryRoute) {
    const json& doc = document();
    const auto ops = operations(doc);
    ASSERT_FALSE(ops.empty());
    for (const auto& o : ops) {
        EXPECT_TRUE(documents(o, "500")) << o.name() << " does not document 500";
        // What the server itself answers on any route (decision 0010): malformed framing, a
        // deadline, headers over the bound, every handler busy.
        for (const char* status : {"400", "408", "431", "503"}) {
            EXPECT_TRUE(documents(o, status)) << o.name() << " does not document " << status;
        }
        if (takesBody(o)) {
            EXPECT_TRUE(documents(o, "413")) << o.name() << " does not document 413";
            EXPECT_TRUE(documents(o, "415")) << o.name() << " does not document 415";
        }
        if (needsSignIn(doc, o)) {
            EXPECT_TRUE(documents(o, "401")) << o.name() << " has security but does not document 401";
            EXPECT_TRUE(documents(o, "403")) << o.name() << " has security but does not document 403";
        }
        if (o.op->contains("requestBody")) {
            EXPECT_TRUE(documents(o, "400")) << o.name() << " parses a body but does not document 400";
            // A provider's webhook body is verified as raw bytes, not validated field by field
            // (x-lms-raw-body): what fails is the signature or the event, a 400.
            if (!o.op->value("x-lms-raw-body", false)) {
                EXPECT_TRUE(documents(o, "422")) << o.name() << " takes a body but does not document 422";
            }
        }
    }
}

TEST(OpenApiDocument, EveryRateLimitedAnswerCarriesRetryAfter) {
    const json& doc = document();
    int limited = 0;
    for (const auto& o : operations(doc)) {
        if (!documents(o, "429")) continue;
        ++limited;
        const json* r = response(doc, o, "429");
        ASSERT_NE(r, nullptr) << o.name();
        EXPECT_TRUE(r->contains("headers") && r->at("headers").contains("Retry-After"))
            << o.name() << ": its 429 has no Retry-After header";
    }
    EXPECT_GE(limited, 5);  // register, login, refresh, password/forgot, password/reset
}

}  // namespace lms
