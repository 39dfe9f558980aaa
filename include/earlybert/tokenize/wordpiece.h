// WordPieceTokenizer — BERT's tokenizer over a vocab.txt, matching Hugging Face's BertTokenizer.
//
//   auto tok = WordPieceTokenizer::from_file("bert-base-uncased-vocab.txt");   // lowercasing on
//   Encoding e = tok.encode("Who wrote it?", "Tolstoy wrote it.", 384);
//
// Text goes through BasicTokenizer (cleaning, CJK, lowercasing + accent stripping, punctuation; see
// basic_tokenizer.h), then each word is split greedily, longest match first, into vocabulary pieces,
// continuation pieces spelled "##piece". A word longer than 100 characters, or one that cannot be
// covered by pieces, becomes a single [UNK]. Every token carries the byte range of the ORIGINAL text
// it covers; a subword covers the input characters its normalized characters came from, so offsets
// stay exact under lowercasing and accent stripping (the alignment Hugging Face's fast tokenizers use).
//
// vocab.txt: one token per line, id = 0-based line number ('\r\n' line ends accepted). When a token
// appears twice its later line wins for token → id, as in Hugging Face. [CLS], [SEP] and [UNK] are
// required; [PAD] and [MASK] fall back to the [UNK] id when absent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "earlybert/tokenize/basic_tokenizer.h"
#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

struct WordPieceOptions {
  BasicTokenizerOptions basic;
  /// Words longer than this (in normalized characters) become [UNK].
  size_t max_input_chars_per_word = 100;
};

namespace detail {

/// Open-addressing hash table from vocabulary strings (minus a fixed-length prefix, used for "##")
/// to ids. Keys are not copied: a slot holds a hash and an id, and a hit is confirmed against the
/// vocabulary's own string. One flat array keeps a lookup to about two cache lines, which matters
/// in WordPiece's greedy search (several lookups per word); std::unordered_map's scattered nodes
/// made lookups the top cost of tokenization.
class PieceTable {
 public:
  /// Indexes tokens[i].substr(prefix) for every i with `accept(tokens[i])` (later ids win).
  template <typename Accept>
  void build(const std::vector<std::string>& tokens, size_t prefix, Accept accept);
  int32_t find(std::string_view key, const std::vector<std::string>& tokens) const;

  static uint32_t hash(std::string_view s) {
    uint64_t h = 14695981039346656037ull;  // FNV-1a
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return static_cast<uint32_t>(h ^ (h >> 32));
  }

 private:
  void insert(uint32_t h, int32_t id, std::string_view key, const std::vector<std::string>& tokens);
  std::vector<uint64_t> slots_;  ///< (hash << 32) | (id + 1); 0 = empty
  uint32_t mask_ = 0;
  size_t prefix_ = 0;
};

}  // namespace detail

/// A vocab.txt in memory: id ↔ token, with separate lookup tables for word-initial pieces and for
/// "##" continuations (stored without the "##"), so lookups use views into the text being tokenized.
class WordPieceVocab {
 public:
  /// Reads `path`. Error naming the file for a missing/unreadable file, an empty vocabulary,
  /// invalid UTF-8 (file:line) or missing [CLS]/[SEP]/[UNK].
  static WordPieceVocab from_file(const std::string& path);
  /// Builds from tokens in id order; `source` names them in errors.
  static WordPieceVocab from_tokens(std::vector<std::string> tokens, const std::string& source = "vocab");

  WordPieceVocab(const WordPieceVocab&) = delete;
  WordPieceVocab& operator=(const WordPieceVocab&) = delete;
  WordPieceVocab(WordPieceVocab&&) noexcept;
  WordPieceVocab& operator=(WordPieceVocab&&) noexcept;
  ~WordPieceVocab();

  size_t size() const { return tokens_.size(); }
  const std::string& token(int32_t id) const;  ///< Error when out of range
  /// Id of `token` or -1.
  int32_t find(std::string_view token) const;
  /// Id of "##" + `piece` or -1.
  int32_t find_continuation(std::string_view piece) const;
  /// Longest token, in bytes (lets the greedy search skip impossible lengths).
  size_t max_token_bytes() const { return max_bytes_; }
  const SpecialTokenIds& special_ids() const { return special_; }
  const std::string& source() const { return source_; }

 private:
  WordPieceVocab() = default;
  void index();

  std::string source_;
  std::vector<std::string> tokens_;
  detail::PieceTable whole_;
  detail::PieceTable continuation_;
  size_t max_bytes_ = 0;
  SpecialTokenIds special_;
};

class WordPieceTokenizer : public Tokenizer {
 public:
  WordPieceTokenizer(WordPieceVocab vocab, WordPieceOptions options = {});
  /// Loads vocab.txt; `do_lower_case` picks the uncased (true) or cased (false) pipeline.
  static WordPieceTokenizer from_file(const std::string& vocab_path, bool do_lower_case = true);

  std::vector<Token> tokenize(std::string_view text) const override;
  int32_t token_to_id(const std::string& token) const override;
  std::string id_to_token(int32_t id) const override;
  size_t vocab_size() const override { return vocab_.size(); }
  SpecialTokenIds special_ids() const override { return vocab_.special_ids(); }
  /// Hugging Face's decode(ids, skip_special_tokens=True): pieces joined by spaces, "##" glued,
  /// [PAD] [UNK] [CLS] [SEP] [MASK] skipped, then clean_up_tokenization (" ." → "." etc.).
  std::string decode(const std::vector<int32_t>& ids) const override;

  /// The subwords of already pre-tokenized text, appended to `out` (the allocation-free core of
  /// tokenize(); used by the benchmark and by callers that keep the PreTokenized buffer).
  void wordpiece(const PreTokenized& pre, std::vector<Token>& out) const;

  const WordPieceVocab& vocab() const { return vocab_; }
  const BasicTokenizer& basic() const { return basic_; }
  const WordPieceOptions& options() const { return options_; }

 private:
  WordPieceVocab vocab_;
  WordPieceOptions options_;
  BasicTokenizer basic_;
};

}  // namespace earlybert
