#pragma once
// Query-string parameters (?page=2&limit=50&q=ada): decoded once, read with bounds, every
// parameter at fault collected for one 422; and the paging block of API.md "Lists".
#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/paging.hpp"
#include "domain/core/decider.hpp"

namespace lms::http {

class Query {
public:
    explicit Query(const std::string& raw);
    // The parameter's value, or nothing when absent or empty.
    std::optional<std::string> text(const std::string& name, std::size_t maxCharacters = 200);
    // An integer in lo..hi, or the fallback when absent.
    int integer(const std::string& name, int fallback, int lo, int hi);
    // One of the allowed values, or nothing when absent.
    std::optional<std::string> oneOf(const std::string& name, std::initializer_list<const char*> allowed);
    // page (from 1) and limit (1..100, default 20).
    PageRequest paging();
    std::vector<domain::FieldError> errors;

private:
    std::map<std::string, std::string> values_;
};

// {"items": [...], "meta": {"totalItems", "itemsPerPage", "totalPages", "currentPage"}}
nlohmann::json listBody(nlohmann::json items, std::int64_t totalItems, const PageRequest& page);

// Percent-decoding with '+' as a space; a malformed escape is kept as it is.
std::string urlDecode(const std::string& s);

}  // namespace lms::http
