// Tests for BERT's basic tokenization: expectations ported from Hugging Face's
// tests/models/bert/test_tokenization_bert.py where they exist, the rest derived from the rules of
// tokenization_bert.py (cleaning, CJK, lowercasing + NFD accent stripping, punctuation).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earlybert/base/error.h"
#include "earlybert/tokenize/basic_tokenizer.h"

using namespace earlybert;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace {

BasicTokenizer make(bool lower, std::optional<bool> strip = std::nullopt, bool cjk = true) {
  BasicTokenizerOptions o;
  o.do_lower_case = lower;
  o.strip_accents = strip;
  o.tokenize_chinese_chars = cjk;
  return BasicTokenizer(o);
}

}  // namespace

// --- ported from Hugging Face ----------------------------------------------------------------------

TEST(BasicTokenizer, HfChinese) {
  EXPECT_THAT(make(true).tokenize("ah\u535A\u63A8zz"), ElementsAre("ah", "\u535A", "\u63A8", "zz"));
}

TEST(BasicTokenizer, HfLower) {
  const auto t = make(true);
  EXPECT_THAT(t.tokenize(" \tHeLLo!how  \n Are yoU?  "), ElementsAre("hello", "!", "how", "are", "you", "?"));
  EXPECT_THAT(t.tokenize("H\u00E9llo"), ElementsAre("hello"));
}

TEST(BasicTokenizer, HfLowerStripAccentsFalse) {
  const auto t = make(true, false);
  EXPECT_THAT(t.tokenize(" \tH\u00E4LLo!how  \n Are yoU?  "), ElementsAre("h\u00E4llo", "!", "how", "are", "you", "?"));
  EXPECT_THAT(t.tokenize("H\u00E9llo"), ElementsAre("h\u00E9llo"));
}

TEST(BasicTokenizer, HfLowerStripAccentsTrueAndDefault) {
  for (std::optional<bool> strip : {std::optional<bool>(true), std::optional<bool>()}) {
    const auto t = make(true, strip);
    EXPECT_THAT(t.tokenize(" \tH\u00E4LLo!how  \n Are yoU?  "), ElementsAre("hallo", "!", "how", "are", "you", "?"));
    EXPECT_THAT(t.tokenize("H\u00E9llo"), ElementsAre("hello"));
  }
}

TEST(BasicTokenizer, HfNoLower) {
  EXPECT_THAT(make(false).tokenize(" \tHeLLo!how  \n Are yoU?  "), ElementsAre("HeLLo", "!", "how", "Are", "yoU", "?"));
  EXPECT_THAT(make(false, false).tokenize(" \tH\u00E4LLo!how  \n Are yoU?  "),
              ElementsAre("H\u00E4LLo", "!", "how", "Are", "yoU", "?"));
  EXPECT_THAT(make(false, true).tokenize(" \tH\u00E4LLo!how  \n Are yoU?  "),
              ElementsAre("HaLLo", "!", "how", "Are", "yoU", "?"));
}

TEST(BasicTokenizer, HfRespectsNeverSplit) {
  EXPECT_THAT(make(false).tokenize(" \tHeLLo!how  \n Are yoU? [UNK]"),
              ElementsAre("HeLLo", "!", "how", "Are", "yoU", "?", "[UNK]"));
}

TEST(BasicTokenizer, HfCharacterClasses) {
  for (char32_t c : {U' ', U'\t', U'\r', U'\n', U'\u00A0'}) EXPECT_TRUE(bert_is_whitespace(c)) << int(c);
  for (char32_t c : {U'A', U'-'}) EXPECT_FALSE(bert_is_whitespace(c));
  EXPECT_TRUE(bert_is_control(U'\u0005'));
  for (char32_t c : {U'A', U' ', U'\t', U'\r'}) EXPECT_FALSE(bert_is_control(c));
  for (char32_t c : {U'-', U'$', U'`', U'.'}) EXPECT_TRUE(bert_is_punctuation(c));
  for (char32_t c : {U'A', U' '}) EXPECT_FALSE(bert_is_punctuation(c));
}

// --- cleaning --------------------------------------------------------------------------------------

TEST(BasicTokenizer, ControlAndFormatCharactersAreDropped) {
  const auto t = make(true);
  EXPECT_THAT(t.tokenize("a\x05"
                         "b"),
              ElementsAre("ab"));
  EXPECT_THAT(t.tokenize(std::string("a\0b", 3)), ElementsAre("ab"));
  EXPECT_THAT(t.tokenize("a\vb\fc"), ElementsAre("abc"));      // \v \f are Cc, not whitespace
  EXPECT_THAT(t.tokenize("so\u00ADft"), ElementsAre("soft"));  // soft hyphen, Cf
  EXPECT_THAT(t.tokenize("a\u200Bb"), ElementsAre("ab"));      // zero-width space, Cf
  EXPECT_THAT(t.tokenize("a\uFFFDb"), ElementsAre("ab"));      // replacement character
  EXPECT_THAT(t.tokenize("a\uE000b"), ElementsAre("ab"));      // private use, Co
  EXPECT_THAT(t.tokenize("a\u0378b"), ElementsAre("ab"));      // unassigned, Cn
  EXPECT_THAT(t.tokenize("a\u0085b"), ElementsAre("ab"));      // NEL is Cc
  EXPECT_THAT(t.tokenize("\u00AD"), IsEmpty());                // HF's test_clean_text case
}

TEST(BasicTokenizer, UnicodeWhitespaceSplits) {
  const auto t = make(true);
  EXPECT_THAT(t.tokenize("a\u00A0b\u3000c\u2003d"), ElementsAre("a", "b", "c", "d"));  // Zs
  EXPECT_THAT(t.tokenize("a\u2028b\u2029c"), ElementsAre("a", "b", "c"));              // str.split()
  EXPECT_THAT(t.tokenize("a\r\nb"), ElementsAre("a", "b"));
  EXPECT_THAT(t.tokenize("   "), IsEmpty());
  EXPECT_THAT(t.tokenize(""), IsEmpty());
}

// --- punctuation -----------------------------------------------------------------------------------

TEST(BasicTokenizer, Punctuation) {
  const auto t = make(true);
  EXPECT_THAT(t.tokenize("a-b"), ElementsAre("a", "-", "b"));
  EXPECT_THAT(t.tokenize("$5+3^2~`|"), ElementsAre("$", "5", "+", "3", "^", "2", "~", "`", "|"));
  EXPECT_THAT(t.tokenize("\u00BFQu\u00E9?"), ElementsAre("\u00BF", "que", "?"));
  EXPECT_THAT(t.tokenize("\u00ABa\u00BB"), ElementsAre("\u00AB", "a", "\u00BB"));  // Pi / Pf
  EXPECT_THAT(t.tokenize("a\u2014b"), ElementsAre("a", "\u2014", "b"));            // em dash, Pd
  EXPECT_THAT(t.tokenize("don\u2019t"), ElementsAre("don", "\u2019", "t"));
  // Symbols outside P* and outside the ASCII ranges are not split.
  EXPECT_THAT(t.tokenize("\u20AC5 a\u00D7b"), ElementsAre("\u20AC5", "a\u00D7b"));
  EXPECT_THAT(t.tokenize("..."), ElementsAre(".", ".", "."));
}

// --- CJK -------------------------------------------------------------------------------------------

TEST(BasicTokenizer, CjkIdeographsAreWords) {
  const auto t = make(true);
  EXPECT_THAT(t.tokenize("\u7684\u4EBA\u6709"), ElementsAre("\u7684", "\u4EBA", "\u6709"));
  EXPECT_THAT(t.tokenize("abc\U00020000def"), ElementsAre("abc", "\U00020000", "def"));  // extension B
  EXPECT_THAT(t.tokenize("\uF900x"), ElementsAre("\uF900", "x"));  // compatibility ideograph (NFD → U+8C48)
  // Kana and Hangul are not CJK ideographs: they stay inside words.
  EXPECT_THAT(t.tokenize("\u3053\u3093\u306B\u3061\u306F"), ElementsAre("\u3053\u3093\u306B\u3061\u306F"));
  EXPECT_THAT(make(false).tokenize("\uD55C\uAD6D\uC5B4"), ElementsAre("\uD55C\uAD6D\uC5B4"));
  // Uncased: NFD splits Hangul syllables into jamo (all Lo, none stripped), as Python does.
  EXPECT_THAT(t.tokenize("\uD55C"), ElementsAre("\u1112\u1161\u11AB"));
  // Without CJK splitting the ideographs stay in the word.
  EXPECT_THAT(make(true, std::nullopt, false).tokenize("ah\u535A\u63A8zz"), ElementsAre("ah\u535A\u63A8zz"));
}

// --- lowercasing and accents -----------------------------------------------------------------------

TEST(BasicTokenizer, AccentsAreStrippedThroughNfd) {
  const auto t = make(true);
  EXPECT_THAT(t.tokenize("na\u00EFve caf\u00E9 R\u00C9SUM\u00C9"), ElementsAre("naive", "cafe", "resume"));
  EXPECT_THAT(t.tokenize("cafe\u0301"), ElementsAre("cafe"));  // decomposed input
  EXPECT_THAT(t.tokenize("\u1EC7"), ElementsAre("e"));         // two marks (dot below, circumflex)
  EXPECT_THAT(t.tokenize(" \u0301 "), IsEmpty());              // a lone mark leaves nothing
  EXPECT_THAT(t.tokenize("\u00C5ngstr\u00F6m"), ElementsAre("angstrom"));
  // Cased: marks are kept, decomposed input stays decomposed.
  EXPECT_THAT(make(false).tokenize("cafe\u0301 na\u00EFve"), ElementsAre("cafe\u0301", "na\u00EFve"));
  // Compatibility characters are not folded (NFD, not NFKD).
  EXPECT_THAT(t.tokenize("\uFB01"), ElementsAre("\uFB01"));
}

TEST(BasicTokenizer, PythonLowercaseSpecialCases) {
  // U+0130 lowercases to "i" + U+0307 in Python; the mark goes when accents are stripped.
  EXPECT_THAT(make(true).tokenize("\u0130stanbul"), ElementsAre("istanbul"));
  EXPECT_THAT(make(true, false).tokenize("\u0130stanbul"), ElementsAre("i\u0307stanbul"));
  // Final sigma: ς at the end of a word, σ elsewhere.
  const auto t = make(true, false);
  EXPECT_THAT(t.tokenize("\u039F\u0394\u039F\u03A3"), ElementsAre("\u03BF\u03B4\u03BF\u03C2"));
  EXPECT_THAT(t.tokenize("\u03A3\u0391"), ElementsAre("\u03C3\u03B1"));
  EXPECT_THAT(t.tokenize("\u03A3"), ElementsAre("\u03C3"));
  EXPECT_THAT(t.tokenize("\u039F\u03A3."), ElementsAre("\u03BF\u03C2", "."));
  EXPECT_THAT(t.tokenize("\u039F\u03A3\u039F"), ElementsAre("\u03BF\u03C3\u03BF"));
  EXPECT_THAT(t.tokenize("\u039F\u03A3 \u039F"), ElementsAre("\u03BF\u03C2", "\u03BF"));
  // Uppercase outside ASCII.
  EXPECT_THAT(t.tokenize("\u0416\u0418\u0417\u041D\u042C"), ElementsAre("\u0436\u0438\u0437\u043D\u044C"));
}

// --- never-split tokens ----------------------------------------------------------------------------

TEST(BasicTokenizer, NeverSplitTokensAreCutOutAnywhere) {
  const auto t = make(true);
  EXPECT_THAT(t.tokenize("Hello[MASK]World"), ElementsAre("hello", "[MASK]", "world"));
  EXPECT_THAT(t.tokenize("[CLS] A [SEP] b [SEP]"), ElementsAre("[CLS]", "a", "[SEP]", "b", "[SEP]"));
  EXPECT_THAT(t.tokenize("[PAD][UNK]"), ElementsAre("[PAD]", "[UNK]"));
  // Case-sensitive, as Hugging Face's added tokens are.
  EXPECT_THAT(t.tokenize("[mask]"), ElementsAre("[", "mask", "]"));
  EXPECT_THAT(t.tokenize("[MASK"), ElementsAre("[", "mask"));
  BasicTokenizerOptions o;
  o.never_split = {"<x>", "<xy>"};
  EXPECT_THAT(BasicTokenizer(o).tokenize("a<xy>b"), ElementsAre("a", "<xy>", "b"));  // longest match
}

// --- alignment to the input ------------------------------------------------------------------------

TEST(BasicTokenizer, EveryNormalizedCharacterMapsToItsInputCharacter) {
  const std::string text = "H\u00E9llo, \u535Aw\u00D6rld\u0130";
  PreTokenized pre;
  make(true).split(text, pre);
  ASSERT_EQ(pre.size(), 4u);
  EXPECT_EQ(pre.word(0), "hello");
  EXPECT_EQ(pre.origin(pre.words[0].first_char, pre.words[0].end_char), std::make_pair(size_t{0}, size_t{6}));
  // é (2 bytes) → e: the 'e' maps to bytes [1, 3).
  EXPECT_EQ(pre.char_origin[pre.words[0].first_char + 1], std::make_pair(size_t{1}, size_t{3}));
  EXPECT_EQ(pre.word(1), ",");
  EXPECT_EQ(pre.origin(pre.words[1].first_char, pre.words[1].end_char), std::make_pair(size_t{6}, size_t{7}));
  EXPECT_EQ(pre.word(2), "\u535A");
  EXPECT_EQ(pre.origin(pre.words[2].first_char, pre.words[2].end_char), std::make_pair(size_t{8}, size_t{11}));
  // "wÖrldİ": Ö → o, İ → i + U+0307 (stripped); the word spans the whole input word.
  EXPECT_EQ(pre.word(3), "worldi");
  EXPECT_EQ(pre.origin(pre.words[3].first_char, pre.words[3].end_char), std::make_pair(size_t{11}, size_t{19}));
  EXPECT_EQ(pre.char_origin[pre.words[3].end_char - 1], std::make_pair(size_t{17}, size_t{19}));
  EXPECT_EQ(pre.char_start.size(), pre.char_origin.size() + 1);
}

TEST(BasicTokenizer, InvalidUtf8IsAnError) {
  const auto t = make(true);
  EXPECT_THROW(t.tokenize("ab\xC3"), Error);
  EXPECT_THROW(t.tokenize("\xED\xA0\x80"), Error);  // a surrogate
  try {
    t.tokenize("abc \xFF");
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("invalid UTF-8 at byte 4"));
  }
}
