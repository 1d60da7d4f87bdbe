#pragma once
// Slugs and the value rules of the catalog that are not a course's state. Pure.
#include <string>
#include <string_view>

namespace lms::domain::catalog {

// The URL slug of a title, in any script: lower-cased, Latin letters with diacritics folded to
// ASCII (é → e, ß → ss, Ł → l), other letters and digits of any script kept as they are, every
// run of anything else one '-', at most 80 bytes cut at a character boundary, never empty
// ("course" when nothing is left). "Café & Crème" → "cafe-creme", "Програмування" → "програмування".
std::string slugify(std::string_view title);

// The n-th candidate for a slug that is taken: "base" for 1, "base-2", "base-3", ... for later ones.
std::string slugCandidate(const std::string& base, int n);

// An active ISO 4217 alphabetic code ("USD", "EUR", "INR", ...).
bool isCurrency(std::string_view code);

}  // namespace lms::domain::catalog
