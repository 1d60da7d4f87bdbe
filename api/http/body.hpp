#pragma once
// Parsing of JSON request bodies, pure (no I/O) so that the fuzz target runs it as the server
// does: the body must be one JSON object; fields are read as strings or bounded integers, each
// missing or mistyped field collected with its name, so that one 422 names every field at fault.
// Every string passes domain::text's rule (no NUL, controls, separators or bidirectional
// overrides; line breaks only where the field says so), so that every context inherits it.
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/expected.hpp"
#include "domain/core/decider.hpp"
#include "domain/core/text.hpp"

namespace lms::http {

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
    using Lines = domain::text::Lines;
    std::string required(const char* name, Lines lines = Lines::Single) {
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) {
            errors.push_back({name, "is required"});
            return {};
        }
        if (!it->is_string()) {
            errors.push_back({name, "must be a string"});
            return {};
        }
        std::string value = *it;
        if (!allowed(name, value, lines)) return {};
        return value;
    }
    std::optional<std::string> optional(const char* name, Lines lines = Lines::Single) {
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) return std::nullopt;
        if (!it->is_string()) {
            errors.push_back({name, "must be a string"});
            return std::nullopt;
        }
        std::string value = *it;
        if (!allowed(name, value, lines)) return std::nullopt;
        return value;
    }
    // An integer in lo..hi, or nothing when absent (a mistyped or out-of-range value is an error).
    std::optional<std::int64_t> integer(const char* name, std::int64_t lo, std::int64_t hi) {
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) return std::nullopt;
        if (!it->is_number_integer() || it->get<std::int64_t>() < lo || it->get<std::int64_t>() > hi ||
            (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(hi))) {
            errors.push_back({name, "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi)});
            return std::nullopt;
        }
        return it->get<std::int64_t>();
    }
    // true or false, or nothing when absent.
    std::optional<bool> boolean(const char* name) {
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) return std::nullopt;
        if (!it->is_boolean()) {
            errors.push_back({name, "must be true or false"});
            return std::nullopt;
        }
        return it->get<bool>();
    }
    // An array of at most maxItems strings, each passing the text rule, or nothing when absent.
    std::optional<std::vector<std::string>> strings(const char* name, std::size_t maxItems) {
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) return std::nullopt;
        if (!it->is_array() || it->size() > maxItems ||
            !std::all_of(it->begin(), it->end(), [](const auto& v) { return v.is_string(); })) {
            errors.push_back({name, "must be an array of at most " + std::to_string(maxItems) + " strings"});
            return std::nullopt;
        }
        std::vector<std::string> out;
        for (const auto& v : *it) {
            if (!allowed(name, v.template get<std::string>(), Lines::Single)) return std::nullopt;
            out.push_back(v.template get<std::string>());
        }
        return out;
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
    // Adds errors found later (by the domain's validation) for fields not already named.
    void merge(const std::vector<domain::FieldError>& more) {
        for (const auto& e : more) {
            bool named = false;
            for (const auto& have : errors) named = named || have.field == e.field;
            if (!named) errors.push_back(e);
        }
    }
    std::vector<domain::FieldError> errors;

private:
    bool allowed(const char* name, const std::string& value, Lines lines) {
        if (const auto bad = domain::text::forbidden(value, lines)) {
            errors.push_back({name, domain::text::forbiddenMessage(*bad)});
            return false;
        }
        return true;
    }
    const nlohmann::json& j_;
};

}  // namespace lms::http
