// Tests for token-classification labels: words -> sub-tokens with word ids (special tokens -1,
// truncation from the end), label alignment as run_ner's tokenize_and_align_labels does it (first
// sub-token labelled, continuations -100, or the I- label with label_all_tokens), b_to_i_labels, and
// word-level predictions back from positions.
#include <gtest/gtest.h>

#include <fstream>

#include "earlybert/data/token_labels.h"
#include "earlybert/tokenize/wordpiece.h"
#include "expect_error.h"
#include "scratch_dir.h"

namespace earlybert {
namespace {

using test::expect_error;

WordPieceTokenizer tiny_tokenizer() {
  const auto dir = test::scratch_dir("token_labels");
  const std::string vocab = dir + "/vocab.txt";
  std::ofstream(vocab) << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\njohn\nlives\nin\nwashing\n##ton\n.\nnew\nyork\n";
  return WordPieceTokenizer::from_file(vocab, /*do_lower_case=*/true);
}

TEST(TokenLabels, WordsBecomeSubTokensWithTheirWordIds) {
  const auto tok = tiny_tokenizer();
  const auto enc = encode_words(tok, {"John", "lives", "in", "Washington", "."}, 16);
  EXPECT_EQ(enc.encoding.tokens,
            (std::vector<std::string>{"[CLS]", "john", "lives", "in", "washing", "##ton", ".", "[SEP]"}));
  EXPECT_EQ(enc.word_ids, (std::vector<int64_t>{-1, 0, 1, 2, 3, 3, 4, -1}));
  EXPECT_EQ(enc.encoding.input_ids.size(), enc.word_ids.size());
  // Truncation keeps the first sub-tokens: max_length 5 leaves [CLS] john lives in [SEP].
  const auto cut = encode_words(tok, {"John", "lives", "in", "Washington", "."}, 5);
  EXPECT_EQ(cut.word_ids, (std::vector<int64_t>{-1, 0, 1, 2, -1}));
  // A word cut in the middle keeps its first sub-token.
  const auto mid = encode_words(tok, {"Washington"}, 3);
  EXPECT_EQ(mid.encoding.tokens, (std::vector<std::string>{"[CLS]", "washing", "[SEP]"}));
  EXPECT_EQ(mid.word_ids, (std::vector<int64_t>{-1, 0, -1}));
}

TEST(TokenLabels, AlignmentFollowsRunNer) {
  // Labels: 0 O, 1 B-PER, 2 I-PER, 3 B-LOC, 4 I-LOC.
  const std::vector<int64_t> word_ids = {-1, 0, 1, 2, 3, 3, 4, -1};
  const std::vector<int64_t> words = {1, 0, 0, 3, 0};
  EXPECT_EQ(align_word_labels(word_ids, words), (std::vector<int64_t>{-100, 1, 0, 0, 3, -100, 0, -100}));
  const auto b_to_i = b_to_i_labels({"O", "B-PER", "I-PER", "B-LOC", "I-LOC"});
  EXPECT_EQ(b_to_i, (std::vector<int64_t>{0, 2, 2, 4, 4}));
  EXPECT_EQ(align_word_labels(word_ids, words, /*label_all_tokens=*/true, b_to_i),
            (std::vector<int64_t>{-100, 1, 0, 0, 3, 4, 0, -100}));
  // A B- label without its I- counterpart stays itself.
  EXPECT_EQ(b_to_i_labels({"B-MISC", "O"}), (std::vector<int64_t>{0, 1}));
  // Padding positions (word id -1 after [SEP]) are ignored too.
  EXPECT_EQ(align_word_labels({-1, 0, -1, -1, -1}, {2}), (std::vector<int64_t>{-100, 2, -100, -100, -100}));
  expect_error([] { align_word_labels({-1, 0, 1, -1}, {1}); }, {"word_ids[2]", "word 1 has no label"});
}

TEST(TokenLabels, WordPredictionsComeFromTheFirstSubToken) {
  const std::vector<int64_t> word_ids = {-1, 0, 1, 1, 2, -1};
  EXPECT_EQ(word_predictions(word_ids, {9, 5, 6, 7, 8, 9}, 4), (std::vector<int64_t>{5, 6, 8, -1}));
  expect_error([&] { word_predictions(word_ids, {1, 2}, 3); }, {"predictions", "2 values for 6 positions"});
}

}  // namespace
}  // namespace earlybert
