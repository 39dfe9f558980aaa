// fail(): the message is "<where>: <what>" on one line, whatever input it quotes.
#include <gtest/gtest.h>

#include <string>

#include "earlybert/base/error.h"

namespace earlybert {
namespace {

std::string message_of(const std::string& where, const std::string& what) {
  try {
    fail(where, what);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "fail() returned";
  return "";
}

TEST(Fail, NamesThePlace) {
  EXPECT_EQ(message_of("dev.tsv:3", "bad label"), "dev.tsv:3: bad label");
  EXPECT_EQ(message_of("", "no place"), "no place");
}

TEST(Fail, QuotedInputCannotBreakTheLine) {
  // A lone '\r' inside a TSV field and a "\n" inside a YAML key reached messages verbatim (found by
  // fuzzing: fuzz/regressions/glue_tsv, training_config).
  EXPECT_EQ(message_of("dev.tsv:2", "label 'a\rb' is not one of 0, 1"), "dev.tsv:2: label 'a\\rb' is not one of 0, 1");
  EXPECT_EQ(message_of("config.yaml:7", "unknown key 'x\ny'"), "config.yaml:7: unknown key 'x\\ny'");
  EXPECT_EQ(message_of("f\nile", std::string("a\x01z\x7f", 4)), "f\\nile: a\\x01z\\x7f");
  // Tabs and UTF-8 stay as they are.
  EXPECT_EQ(message_of("t", "a\tb caf\xc3\xa9"), "t: a\tb caf\xc3\xa9");
}

}  // namespace
}  // namespace earlybert
