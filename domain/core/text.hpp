#pragma once
// The one rule for text a client sends, every context's every string field: lengths are counted
// in characters (code points), not bytes, and no field holds what the store cannot keep or a
// reader cannot see: NUL and the other C0 controls, DEL, the C1 controls, the line and paragraph
// separators U+2028/U+2029 and the bidirectional overrides and isolates (U+202A–U+202E,
// U+2066–U+2069, which can make a name read as another). Fields documented to take line breaks
// (a description, a bio) may hold LF, CR and TAB. The zero-width joiners (U+200C, U+200D) that
// Indic and Persian names need stay allowed. Pure; the text is UTF-8 (JSON parsing checks that).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lms::domain::text {

enum class Lines { Single, Multiple };

// Code points in s (continuation bytes not counted).
std::size_t characters(std::string_view s);

// The first character s may not hold, as "U+0000" with its position (1-based, in characters),
// or nothing when s is fine.
std::optional<std::string> forbidden(std::string_view s, Lines lines = Lines::Single);

// The message a field error gives for forbidden(s).
std::string forbiddenMessage(const std::string& what);

// What is wrong with s as a field of min..max characters (min 1: "must not be empty"), or with a
// character it holds (forbidden), as a field error's message; nothing when s is fine.
std::optional<std::string> problem(std::string_view s, std::size_t min, std::size_t max, Lines lines = Lines::Single);

// s without the spaces, tabs and line breaks around it.
std::string trim(std::string_view s);

}  // namespace lms::domain::text
