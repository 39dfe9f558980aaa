// Tests for the UTF-8 helpers: what counts as invalid (RFC 3629), error messages, and round trips.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earlybert/base/error.h"
#include "earlybert/tokenize/utf8.h"

using namespace earlybert;

TEST(Utf8, ValidTextHasNoInvalidByte) {
  EXPECT_EQ(find_invalid_utf8(""), std::nullopt);
  EXPECT_EQ(find_invalid_utf8("plain ascii\t\n"), std::nullopt);
  EXPECT_EQ(find_invalid_utf8("caf\u00E9 \u7684 \U0001F600 \U0010FFFF"), std::nullopt);
  EXPECT_EQ(find_invalid_utf8(std::string("a\0b", 3)), std::nullopt);
}

TEST(Utf8, InvalidSequencesAreFoundAtTheirFirstByte) {
  EXPECT_EQ(find_invalid_utf8("ab\x80"), 2u);            // stray continuation byte
  EXPECT_EQ(find_invalid_utf8("ab\xC3"), 2u);            // truncated 2-byte sequence
  EXPECT_EQ(find_invalid_utf8("\xE2\x82"), 0u);          // truncated 3-byte sequence
  EXPECT_EQ(find_invalid_utf8("x\xC0\xAF"), 1u);         // overlong '/'
  EXPECT_EQ(find_invalid_utf8("\xE0\x80\xAF"), 0u);      // overlong, 3 bytes
  EXPECT_EQ(find_invalid_utf8("ok\xED\xA0\x80"), 2u);    // UTF-16 surrogate U+D800
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(find_invalid_utf8("\xFF"), 0u);
  EXPECT_EQ(find_invalid_utf8("\xC3\x28"), 0u);  // lead byte followed by ASCII
}

TEST(Utf8, CheckNamesThePlace) {
  EXPECT_NO_THROW(check_utf8("fine", "x"));
  try {
    check_utf8("abc\xFF", "train.tsv:7");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "train.tsv:7: invalid UTF-8 at byte 3");
  }
}

TEST(Utf8, DecodeAndAppendRoundTrip) {
  for (char32_t cp : {U'A', U'\u00E9', U'\u7684', U'\U0001F600', U'\U0010FFFF'}) {
    std::string s;
    append_utf8(s, cp);
    char32_t back = 0;
    EXPECT_EQ(decode_utf8(s, 0, back), s.size());
    EXPECT_EQ(back, cp);
  }
  char32_t cp = 0;
  EXPECT_EQ(decode_utf8("\xC3", 0, cp), 0u);
}
