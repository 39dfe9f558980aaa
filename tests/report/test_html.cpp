// escape_html and truncate_label: markup characters, invalid UTF-8 and control characters never reach
// the page unescaped; labels are cut on character boundaries.
#include <gtest/gtest.h>

#include <string>

#include "earlybert/report/html.h"

namespace earlybert::report {
namespace {

TEST(EscapeHtml, EscapesTheMarkupCharacters) {
  EXPECT_EQ(escape_html("plain run-1_x"), "plain run-1_x");
  EXPECT_EQ(escape_html("<script>alert(\"x\")</script>"), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
  EXPECT_EQ(escape_html("a&b 'c'"), "a&amp;b &#39;c&#39;");
  EXPECT_EQ(escape_html("&amp;"), "&amp;amp;");  // already-escaped text is escaped again: it is data
  EXPECT_EQ(escape_html(""), "");
}

TEST(EscapeHtml, KeepsValidUtf8AndReplacesWhatXmlForbids) {
  EXPECT_EQ(escape_html("Zürich – 東京 🙂"), "Zürich – 東京 🙂");
  EXPECT_EQ(escape_html("tab\tnl\ncr\r"), "tab\tnl\ncr\r");
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(escape_html(std::string("a\x01"
                                    "b\x1f"
                                    "c",
                                    5)),
            "a" + fffd + "b" + fffd + "c");
  EXPECT_EQ(escape_html(std::string("nul\0x", 5)), "nul" + fffd + "x");
  EXPECT_EQ(escape_html("bad \xC3(ok"), "bad " + fffd + "(ok");  // truncated 2-byte sequence
  EXPECT_EQ(escape_html("\xC0\xAF"), fffd + fffd);               // overlong '/'
  EXPECT_EQ(escape_html("\xED\xA0\x80"), fffd + fffd + fffd);    // a surrogate
  EXPECT_EQ(escape_html("x\xEF\xBF\xBEy"), "x" + fffd + "y");    // U+FFFE, not an XML character
}

TEST(TruncateLabel, CutsOnCharacterBoundaries) {
  EXPECT_EQ(truncate_label("short", 10), "short");
  EXPECT_EQ(truncate_label("exactly10!", 10), "exactly10!");
  EXPECT_EQ(truncate_label("eleven chars", 10), "eleven ch\xE2\x80\xA6");
  EXPECT_EQ(truncate_label("äöüäöüäöü", 4), "äöü\xE2\x80\xA6");  // 2-byte characters count once
  EXPECT_EQ(truncate_label("äöü", 3), "äöü");
  EXPECT_EQ(truncate_label("abc", 1), "\xE2\x80\xA6");
  EXPECT_EQ(truncate_label("abc", 0), "");
  EXPECT_EQ(truncate_label("", 0), "");
}

}  // namespace
}  // namespace earlybert::report
