// The one text rule every string field passes (domain/core/text.hpp): pure.
#include <gtest/gtest.h>

#include "domain/core/text.hpp"

namespace lms {
namespace {

namespace text = domain::text;

TEST(Text, LengthsAreCharactersNotBytes) {
    EXPECT_EQ(text::characters("caf\xc3\xa9"), 4u);
    std::string e150;
    for (int i = 0; i < 150; ++i) e150 += "\xc3\xa9";
    EXPECT_EQ(text::characters(e150), 150u) << "150 × é is 150 characters (300 bytes)";
    EXPECT_EQ(text::characters("\xe0\xa4\xa8\xe0\xa4\xae"), 2u);  // Devanagari
}

TEST(Text, RefusesWhatTheStoreCannotHoldOrAReaderCannotSee) {
    for (const std::string& bad : {std::string("a\0b", 3), std::string("a\x01"), std::string("a\x1b[31m"),
                                   std::string("a\x7f"), std::string("a\xc2\x85"),  // NEL (C1)
                                   std::string("a\xe2\x80\xa8"),                    // U+2028
                                   std::string("a\xe2\x80\xae"
                                               "cba"),            // U+202E RLO
                                   std::string("a\xe2\x81\xa6"),  // U+2066 LRI
                                   std::string("line\nbreak"), std::string("tab\there")}) {
        EXPECT_TRUE(text::forbidden(bad).has_value()) << bad;
    }
    EXPECT_EQ(text::forbidden(std::string("ab\0", 3)).value_or(""), "U+0000 at character 3");
}

TEST(Text, KeepsWhatNamesInEveryScriptNeed) {
    for (const std::string& ok : {std::string("Zo\xc3\xab"), std::string("\xd9\x85\xd8\xad\xd9\x85\xd8\xaf"),  // Arabic
                                  std::string("\xe0\xa4\x95\xe0\xa5\x8d\xe2\x80\x8d\xe0\xa4\xb7"),  // ZWJ in Devanagari
                                  std::string("\xd9\x85\xe2\x80\x8c\xd9\x8a"),                      // ZWNJ (Persian)
                                  std::string("\xe5\xb1\xb1\xe7\x94\xb0")}) {                       // Japanese
        EXPECT_FALSE(text::forbidden(ok).has_value()) << ok;
    }
    EXPECT_FALSE(text::forbidden("line\nbreak\r\n\tok", text::Lines::Multiple).has_value());
    EXPECT_TRUE(text::forbidden(std::string("no\0nul", 6), text::Lines::Multiple).has_value());
}

}  // namespace
}  // namespace lms
