// Tokenizer — the one interface behind WordPiece (BERT vocab.txt) and SentencePiece (.model).
//
// A tokenizer turns raw UTF-8 text into subword tokens that remember where they came from (byte
// offsets into the input, which SQuAD needs to map answers back), and builds BERT model inputs:
//   [CLS] A [SEP]            token_type_ids 0...
//   [CLS] A [SEP] B [SEP]    token_type_ids 0... 1...
// truncated to max_length like Hugging Face's `longest_first` / `only_second` strategies.
//
// Implementations: WordPieceTokenizer (wordpiece.h, BERT's vocab.txt, matching Hugging Face's
// BertTokenizer) and SentencePieceTokenizer (sentencepiece.h, .model files). Both are safe to use
// from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace earlybert {

/// One subword with its id and the byte range [begin, end) of the input it covers.
struct Token {
  std::string piece;
  int32_t id = 0;
  size_t begin = 0;
  size_t end = 0;
};

/// Ids of the special tokens a BERT input uses.
struct SpecialTokenIds {
  int32_t pad = 0;
  int32_t unk = 100;
  int32_t cls = 101;
  int32_t sep = 102;
  int32_t mask = 103;
};

enum class Truncation { LongestFirst, OnlyFirst, OnlySecond, DoNotTruncate };

/// A model-ready input: parallel arrays, one entry per position (no padding).
struct Encoding {
  std::vector<std::string> tokens;
  std::vector<int32_t> input_ids;
  std::vector<int32_t> token_type_ids;
  std::vector<int32_t> attention_mask;
  /// Byte range in the text the token came from; {0, 0} for special tokens.
  std::vector<std::pair<size_t, size_t>> offsets;
  /// 0 for tokens of the first text, 1 for the second, -1 for special tokens.
  std::vector<int32_t> sequence_ids;
  /// Tokens removed by truncation (first text, second text).
  size_t overflow_first = 0;
  size_t overflow_second = 0;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  /// Subword tokens of one raw text (no special tokens added). Error when `text` is not valid UTF-8.
  virtual std::vector<Token> tokenize(std::string_view text) const = 0;

  /// Id of a vocabulary entry, or the [UNK] id when absent.
  virtual int32_t token_to_id(const std::string& token) const = 0;
  /// The vocabulary entry for `id`; Error when out of range.
  virtual std::string id_to_token(int32_t id) const = 0;
  virtual size_t vocab_size() const = 0;
  virtual SpecialTokenIds special_ids() const = 0;
  /// Text for ids (WordPiece joins "##" continuations; special tokens are skipped).
  virtual std::string decode(const std::vector<int32_t>& ids) const = 0;

  /// Builds [CLS] a [SEP] (b [SEP]) truncated to at most max_length positions. Truncation follows
  /// Hugging Face's slow tokenizers: longest_first removes one token at a time from the end of the
  /// longer text (the second on ties); only_first/only_second cut that text. Error where Hugging Face
  /// would give up and return an over-long input (max_length below the special tokens' count, or
  /// the text to cut would have to lose all of its tokens; longest_first may empty a text of a pair).
  Encoding encode(std::string_view a, std::optional<std::string_view> b = std::nullopt, size_t max_length = 512,
                  Truncation truncation = Truncation::LongestFirst) const;

  /// Same, from already tokenized pieces (lets callers tokenize once and cut windows, as SQuAD does).
  Encoding encode_tokens(const std::vector<Token>& a, const std::vector<Token>* b, size_t max_length,
                         Truncation truncation) const;
};

}  // namespace earlybert
