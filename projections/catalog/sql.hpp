#pragma once
// SQL shared by the catalog's projection (which writes the search documents) and its queries
// (which turn a visitor's words into a tsquery): both must normalise text the same way, or a
// word would not find itself.
#include <string>
#include <vector>

namespace lms::projections::catalog::sql {

// The lexemes of a SQL text expression: lower-cased, unaccented (`Café` and `cafe` meet), split
// by PostgreSQL's default parser under the `simple` configuration. `simple`, not `english`: a
// catalog is multilingual and English stemming would mangle the other languages' words. The
// extension lives in `public` (Catalog::ddl creates it there), so its function and dictionary
// are named with their schema: the runner's search_path is the read model's schema first.
inline std::string lexemes(const std::string& textExpression) {
    return "to_tsvector('simple', public.unaccent('public.unaccent'::regdictionary, lower(" + textExpression + ")))";
}

// A text[] literal for a statement parameter (`$n::text[]`).
inline std::string textArray(const std::vector<std::string>& values) {
    std::string out = "{";
    for (const auto& v : values) {
        if (out.size() > 1) out += ',';
        out += '"';
        for (char ch : v) {
            if (ch == '"' || ch == '\\') out += '\\';
            out += ch;
        }
        out += '"';
    }
    return out + "}";
}

}  // namespace lms::projections::catalog::sql
