#pragma once
// Parsing of JSON request bodies, pure (no I/O) so that the fuzz target runs it as the server does:
// the body must be one JSON object; fields are read as strings, each missing or mistyped field
// collected with its name for the 422's `errors`.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "domain/core/decider.hpp"

namespace lms::api {

// The body as a JSON object, or why not (the detail of a 400 malformed_json).
inline expected<nlohmann::json, std::string> parseObject(std::string_view body) {
    auto j = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
    if (j.is_discarded()) return unexpected(std::string("the body is not valid JSON"));
    if (!j.is_object()) return unexpected(std::string("the body must be a JSON object"));
    return j;
}

class Fields {
public:
    explicit Fields(const nlohmann::json& j) : j_(j) {}
    std::string required(const char* name) {
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) {
            errors.push_back({name, "is required"});
            return {};
        }
        if (!it->is_string()) {
            errors.push_back({name, "must be a string"});
            return {};
        }
        return *it;
    }
    std::optional<std::string> optional(const char* name) {
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) return std::nullopt;
        if (!it->is_string()) {
            errors.push_back({name, "must be a string"});
            return std::nullopt;
        }
        return it->get<std::string>();
    }
    // Fields present that the request does not take.
    void onlyThese(std::initializer_list<const char*> allowed) {
        for (const auto& [k, v] : j_.items()) {
            bool known = false;
            for (const char* a : allowed) known = known || k == a;
            // A member named "" still needs a name a client can read in `errors`.
            if (!known) errors.push_back({k.empty() ? std::string("\"\"") : k, "cannot be changed here"});
        }
    }
    std::vector<domain::FieldError> errors;

private:
    const nlohmann::json& j_;
};

}  // namespace lms::api
