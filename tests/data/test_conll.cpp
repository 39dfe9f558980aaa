// Tests for the CoNLL reader: CoNLL-2003 columns (NER tag last), sentences split at blank lines,
// -DOCSTART- skipped, CRLF, another tag column, and errors naming file:line.
#include <gtest/gtest.h>

#include "earlybert/data/conll.h"
#include "expect_error.h"

namespace earlybert {
namespace {

using test::expect_error;

TEST(Conll, ReadsConll2003Columns) {
  const std::string text =
      "-DOCSTART- -X- -X- O\n"
      "\n"
      "EU NNP B-NP B-ORG\n"
      "rejects VBZ B-VP O\r\n"
      "German JJ B-NP B-MISC\n"
      "\n"
      "\n"
      "Peter NNP B-NP B-PER\n"
      "Blackburn NNP I-NP I-PER\n";
  const auto s = parse_conll(text, "train.txt");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].words, (std::vector<std::string>{"EU", "rejects", "German"}));
  EXPECT_EQ(s[0].tags, (std::vector<std::string>{"B-ORG", "O", "B-MISC"}));
  EXPECT_EQ(s[0].line, 3u);
  EXPECT_EQ(s[1].tags, (std::vector<std::string>{"B-PER", "I-PER"}));
  EXPECT_EQ(s[1].line, 8u);
  EXPECT_EQ(conll_tag_set(s), (std::vector<std::string>{"B-MISC", "B-ORG", "B-PER", "I-PER", "O"}));
  // The POS column instead.
  EXPECT_EQ(parse_conll(text, "train.txt", 1)[1].tags, (std::vector<std::string>{"NNP", "NNP"}));
}

TEST(Conll, ErrorsNameFileAndLine) {
  expect_error([] { parse_conll("a B-X\nb O extra\n", "t.txt"); }, {"t.txt:2", "has 3 columns", "has 2"});
  expect_error([] { parse_conll("word\n", "t.txt"); }, {"t.txt:1", "no tag column"});
  expect_error([] { parse_conll("a O\nb\xff O\n", "t.txt"); }, {"t.txt:2", "UTF-8"});
  EXPECT_TRUE(parse_conll("\n\n-DOCSTART- O\n", "t.txt").empty());
}

}  // namespace
}  // namespace earlybert
