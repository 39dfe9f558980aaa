// BasicTokenizer — BERT's pre-tokenization (Hugging Face `BasicTokenizer`), with the way back to the
// input bytes.
//
// Steps, in Hugging Face's order:
//   1. never-split tokens ([CLS] [SEP] [UNK] [PAD] [MASK]) are cut out of the raw text wherever they
//      appear, matched case-sensitively, longest first (HF's added-token trie);
//   2. cleaning: NUL, U+FFFD and every character of category C* (Cc Cf Cs Co Cn) except \t \n \r are
//      dropped; \t \n \r and Zs characters become word boundaries (so do U+2028/U+2029, which
//      Python's str.split() treats as whitespace);
//   3. CJK ideographs (HF's code point ranges) become words of their own;
//   4. lowercasing (Python's str.lower(): simple case mapping, U+0130 → "i̇", final sigma) and
//      accent stripping (NFD, then drop category Mn), both through utf8proc;
//   5. punctuation (category P*, plus the ASCII symbols 33-47, 58-64, 91-96, 123-126) becomes
//      one-character words.
// Every normalized character remembers the byte range of the input character it came from (one
// input character can yield several, e.g. "é" → "e" + U+0301, or none), the alignment Hugging Face's
// fast tokenizers keep, so a subword can be mapped back to its exact input span.
//
// Known deviation: NFD is applied per character without canonical reordering of combining marks;
// it only matters for non-Mn marks with a non-zero combining class (a few musical symbols), since
// Mn marks are removed anyway.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace earlybert {

struct BasicTokenizerOptions {
  /// Lowercase the text (BERT "uncased" vocabularies).
  bool do_lower_case = true;
  /// Strip accents (NFD, drop Mn). Unset: strip exactly when lowercasing, as the original BERT did.
  std::optional<bool> strip_accents;
  /// Make every CJK ideograph a word of its own.
  bool tokenize_chinese_chars = true;
  /// Tokens kept whole wherever they appear in the raw text (case-sensitive).
  std::vector<std::string> never_split = {"[CLS]", "[SEP]", "[UNK]", "[PAD]", "[MASK]"};

  bool strips_accents() const { return strip_accents.value_or(do_lower_case); }
};

/// The words of one text after basic tokenization. Buffers are reused between calls.
struct PreTokenized {
  struct Word {
    uint32_t first_char = 0;   ///< index of the word's first normalized character
    uint32_t end_char = 0;     ///< one past its last
    bool never_split = false;  ///< a never-split token: not normalized, not split into subwords
  };

  /// Normalized characters of all words, concatenated as UTF-8 (no separators).
  std::string normalized;
  /// Byte offset of each normalized character in `normalized`, plus one final entry (its size).
  std::vector<uint32_t> char_start;
  /// Byte range [begin, end) of the input character each normalized character came from.
  std::vector<std::pair<size_t, size_t>> char_origin;
  std::vector<Word> words;

  void clear() {
    normalized.clear();
    char_start.clear();
    char_origin.clear();
    words.clear();
  }
  size_t size() const { return words.size(); }
  /// Normalized UTF-8 bytes of word i.
  std::string_view word(size_t i) const {
    const Word& w = words[i];
    return std::string_view(normalized)
        .substr(char_start[w.first_char], char_start[w.end_char] - char_start[w.first_char]);
  }
  /// Input byte range covered by normalized characters [first, end) (end > first).
  std::pair<size_t, size_t> origin(uint32_t first, uint32_t end) const {
    return {char_origin[first].first, char_origin[end - 1].second};
  }
};

class BasicTokenizer {
 public:
  explicit BasicTokenizer(BasicTokenizerOptions options = {});

  const BasicTokenizerOptions& options() const { return options_; }

  /// Splits `text` into `out` (cleared first). Error when `text` is not valid UTF-8.
  void split(std::string_view text, PreTokenized& out) const;

  /// The words alone, as Hugging Face's BasicTokenizer.tokenize returns them.
  std::vector<std::string> tokenize(std::string_view text) const;

 private:
  BasicTokenizerOptions options_;
  /// Bit c set when some never-split token starts with byte c (a quick filter for step 1).
  uint64_t never_split_first_[4] = {0, 0, 0, 0};
};

/// Character classes of BERT's basic tokenizer, exposed for tests and for other text code.
bool bert_is_whitespace(char32_t cp);    ///< \t \n \r, space, Zs
bool bert_is_control(char32_t cp);       ///< category C* except \t \n \r
bool bert_is_punctuation(char32_t cp);   ///< category P*, or ASCII 33-47, 58-64, 91-96, 123-126
bool bert_is_chinese_char(char32_t cp);  ///< HF's CJK ideograph ranges

}  // namespace earlybert
