// Tests for Tokenizer::encode: [CLS] A [SEP] (B [SEP]) layout, token types, masks, offsets, and the
// truncation strategies with Hugging Face's exact removal order (truncate_sequences in
// tokenization_utils_base.py). A whitespace "tokenizer" makes token counts easy to control.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "earlybert/base/error.h"
#include "earlybert/tokenize/tokenizer.h"
#include "earlybert/tokenize/wordpiece.h"
#include "tokenize/tokenize_test_util.h"

using namespace earlybert;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

// Words separated by single spaces; "wN" has id 10 + N. Specials: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4.
class SpaceTokenizer : public Tokenizer {
 public:
  std::vector<Token> tokenize(std::string_view text) const override {
    std::vector<Token> out;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t end = text.find(' ', pos);
      if (end == std::string_view::npos) end = text.size();
      if (end > pos) {
        std::string w(text.substr(pos, end - pos));
        out.push_back(Token{w, token_to_id(w), pos, end});
      }
      pos = end + 1;
    }
    return out;
  }
  int32_t token_to_id(const std::string& token) const override {
    if (token.size() > 1 && token[0] == 'w') return 10 + std::stoi(token.substr(1));
    return 1;
  }
  std::string id_to_token(int32_t id) const override {
    static const char* specials[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    if (id >= 0 && id < 5) return specials[id];
    return "w" + std::to_string(id - 10);
  }
  size_t vocab_size() const override { return 1000; }
  SpecialTokenIds special_ids() const override { return {0, 1, 2, 3, 4}; }
  std::string decode(const std::vector<int32_t>&) const override { return ""; }
};

std::string words(int first, int n) {
  std::ostringstream s;
  for (int i = 0; i < n; ++i) s << (i ? " " : "") << "w" << first + i;
  return s.str();
}

// Lengths of A and B kept after encoding.
std::pair<size_t, size_t> kept(const Encoding& e) {
  size_t a = 0, b = 0;
  for (int32_t s : e.sequence_ids) {
    a += s == 0;
    b += s == 1;
  }
  return {a, b};
}

}  // namespace

TEST(Encode, SingleTextLayout) {
  SpaceTokenizer tok;
  const auto e = tok.encode("w1 w2");
  EXPECT_THAT(e.tokens, ElementsAre("[CLS]", "w1", "w2", "[SEP]"));
  EXPECT_THAT(e.input_ids, ElementsAre(2, 11, 12, 3));
  EXPECT_THAT(e.token_type_ids, ElementsAre(0, 0, 0, 0));
  EXPECT_THAT(e.attention_mask, ElementsAre(1, 1, 1, 1));
  EXPECT_THAT(e.sequence_ids, ElementsAre(-1, 0, 0, -1));
  using P = std::pair<size_t, size_t>;
  EXPECT_THAT(e.offsets, ElementsAre(P{0, 0}, P{0, 2}, P{3, 5}, P{0, 0}));
  EXPECT_EQ(e.overflow_first, 0u);
}

TEST(Encode, PairLayoutAndTokenTypes) {
  SpaceTokenizer tok;
  const auto e = tok.encode("w1 w2", std::string_view("w3"));
  EXPECT_THAT(e.tokens, ElementsAre("[CLS]", "w1", "w2", "[SEP]", "w3", "[SEP]"));
  EXPECT_THAT(e.token_type_ids, ElementsAre(0, 0, 0, 0, 1, 1));
  EXPECT_THAT(e.sequence_ids, ElementsAre(-1, 0, 0, -1, 1, -1));
  EXPECT_THAT(e.attention_mask, ElementsAre(1, 1, 1, 1, 1, 1));
  // Empty texts still get their special tokens.
  EXPECT_THAT(tok.encode("", std::string_view("")).tokens, ElementsAre("[CLS]", "[SEP]", "[SEP]"));
}

TEST(Encode, LongestFirstRemovesFromTheLongerSecondOnTies) {
  SpaceTokenizer tok;
  // 5 + 5 + 3 = 13 > 10: remove 3 → tie: B=4; A>B: A=4; tie: B=3.
  auto e = tok.encode(words(0, 5), std::string_view(words(100, 5)), 10);
  EXPECT_EQ(kept(e), std::make_pair(size_t{4}, size_t{3}));
  EXPECT_EQ(e.input_ids.size(), 10u);
  EXPECT_EQ(e.overflow_first, 1u);
  EXPECT_EQ(e.overflow_second, 2u);
  // Tokens go from the end of each text.
  EXPECT_THAT(e.tokens, ElementsAre("[CLS]", "w0", "w1", "w2", "w3", "[SEP]", "w100", "w101", "w102", "[SEP]"));
  // Unbalanced: only the longer one shrinks until the two meet.
  e = tok.encode(words(0, 10), std::string_view(words(100, 2)), 10);
  EXPECT_EQ(kept(e), std::make_pair(size_t{5}, size_t{2}));
  e = tok.encode(words(0, 2), std::string_view(words(100, 10)), 10);
  EXPECT_EQ(kept(e), std::make_pair(size_t{2}, size_t{5}));
  // Both long, odd budget: 20 + 20 + 3 > 8 → A=3, B=2 (the last tie takes from B).
  e = tok.encode(words(0, 20), std::string_view(words(100, 20)), 8);
  EXPECT_EQ(kept(e), std::make_pair(size_t{3}, size_t{2}));
  // A second text may be emptied entirely.
  e = tok.encode(words(0, 1), std::string_view(words(100, 1)), 3);
  EXPECT_EQ(kept(e), std::make_pair(size_t{0}, size_t{0}));
}

TEST(Encode, LongestFirstSingleTextAndNoTruncationNeeded) {
  SpaceTokenizer tok;
  auto e = tok.encode(words(0, 10), std::nullopt, 6);
  EXPECT_THAT(e.tokens, ElementsAre("[CLS]", "w0", "w1", "w2", "w3", "[SEP]"));
  EXPECT_EQ(e.overflow_first, 6u);
  e = tok.encode(words(0, 4), std::nullopt, 6);
  EXPECT_EQ(e.input_ids.size(), 6u);
  EXPECT_EQ(e.overflow_first, 0u);
  // Default max_length is 512.
  EXPECT_EQ(tok.encode(words(0, 600)).input_ids.size(), 512u);
}

TEST(Encode, OnlySecondAndOnlyFirst) {
  SpaceTokenizer tok;
  auto e = tok.encode(words(0, 5), std::string_view(words(100, 5)), 10, Truncation::OnlySecond);
  EXPECT_EQ(kept(e), std::make_pair(size_t{5}, size_t{2}));
  EXPECT_EQ(e.overflow_second, 3u);
  e = tok.encode(words(0, 5), std::string_view(words(100, 5)), 10, Truncation::OnlyFirst);
  EXPECT_EQ(kept(e), std::make_pair(size_t{2}, size_t{5}));
  e = tok.encode(words(0, 50), std::string_view(words(100, 50)), 200, Truncation::DoNotTruncate);
  EXPECT_EQ(e.input_ids.size(), 103u);
  e = tok.encode(words(0, 50), std::string_view(words(100, 50)), 10, Truncation::DoNotTruncate);
  EXPECT_EQ(e.input_ids.size(), 103u);
}

TEST(Encode, ImpossibleTruncationIsAnError) {
  SpaceTokenizer tok;
  // The second text must keep one token (HF refuses, logs and returns an over-long input).
  try {
    tok.encode(words(0, 8), std::string_view(words(100, 2)), 10, Truncation::OnlySecond);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("truncation only_second"));
    EXPECT_THAT(e.what(), HasSubstr("second text has 2 tokens"));
  }
  EXPECT_THROW(tok.encode(words(0, 3), std::nullopt, 2), Error);                            // would leave A empty
  EXPECT_THROW(tok.encode(words(0, 3), std::nullopt, 1), Error);                            // no room for [CLS] [SEP]
  EXPECT_THROW(tok.encode("w1", std::string_view("w2"), 2), Error);                         // no room for 3 specials
  EXPECT_THROW(tok.encode(words(0, 30), std::nullopt, 10, Truncation::OnlySecond), Error);  // no pair
}

TEST(Encode, EncodeTokensReusesPreTokenizedPieces) {
  SpaceTokenizer tok;
  const auto a = tok.tokenize(words(0, 6));
  const auto b = tok.tokenize(words(100, 6));
  EXPECT_THROW(tok.encode_tokens(a, &b, 9, Truncation::OnlyFirst), Error) << "A must keep one token";
  const auto e2 = tok.encode_tokens(a, &b, 12, Truncation::OnlyFirst);
  EXPECT_EQ(kept(e2), std::make_pair(size_t{3}, size_t{6}));
  const auto e3 = tok.encode_tokens(a, nullptr, 5, Truncation::LongestFirst);
  EXPECT_THAT(e3.tokens, ElementsAre("[CLS]", "w0", "w1", "w2", "[SEP]"));
}

TEST(Encode, WordPiecePairWithOffsets) {
  const auto tok = WordPieceTokenizer::from_file(test::fixture("tiny_vocab.txt"));
  const std::string q = "How are you?";
  const std::string c = "Hello, unwanted running!";
  const auto e = tok.encode(q, std::string_view(c), 11);
  // 4 + 8 + 3 = 15 > 11: the 4 removed tokens all come from the longer context.
  EXPECT_THAT(e.tokens, ElementsAre("[CLS]", "how", "are", "you", "?", "[SEP]", "hello", ",", "un", "##want", "[SEP]"));
  EXPECT_THAT(e.token_type_ids, ElementsAre(0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1));
  EXPECT_EQ(e.overflow_first, 0u);
  EXPECT_EQ(e.overflow_second, 4u);
  // Offsets index each text separately; sequence_ids say which.
  EXPECT_EQ(c.substr(e.offsets[9].first, e.offsets[9].second - e.offsets[9].first), "want");
  EXPECT_EQ(q.substr(e.offsets[4].first, e.offsets[4].second - e.offsets[4].first), "?");
}
