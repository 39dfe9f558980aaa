// Properties every Tokenizer must have on any input, shared by the WordPiece and SentencePiece fuzz
// targets: tokenize() either rejects the text (invalid UTF-8, with a one-line Error) or returns tokens
// whose ids are in the vocabulary and whose byte ranges lie inside the text, in order; encode() of a
// pair respects max_length; decode() of the ids works.
#pragma once

#include "earlybert/tokenize/tokenizer.h"
#include "fuzz_input.h"

namespace earlybert::fuzz {

/// `control` picks max_length and the truncation strategy; `text` is split at its first tab into
/// the two texts of a pair.
inline void check_tokenizer(const Tokenizer& tokenizer, uint8_t control, std::string_view text) {
  std::vector<Token> tokens;
  if (!parse_or_reject([&] { tokens = tokenizer.tokenize(text); })) return;
  size_t previous_begin = 0;
  std::vector<int32_t> ids;
  for (const Token& t : tokens) {
    FUZZ_REQUIRE(t.id >= 0 && static_cast<size_t>(t.id) < tokenizer.vocab_size(), "token id out of range");
    FUZZ_REQUIRE(t.begin <= t.end && t.end <= text.size(), "token range outside the text");
    FUZZ_REQUIRE(t.begin >= previous_begin, "token ranges out of order");
    previous_begin = t.begin;
    ids.push_back(t.id);
  }
  parse_or_reject([&] { tokenizer.decode(ids); });

  const size_t tab = text.find('\t');
  const std::string_view a = text.substr(0, tab);
  const std::optional<std::string_view> b =
      tab == std::string_view::npos ? std::nullopt : std::optional<std::string_view>(text.substr(tab + 1));
  const size_t max_length = 1 + control % 64;
  const Truncation truncation = static_cast<Truncation>((control / 64) % 4);
  Encoding e;
  if (!parse_or_reject([&] { e = tokenizer.encode(a, b, max_length, truncation); })) return;
  const size_t n = e.input_ids.size();
  FUZZ_REQUIRE(e.tokens.size() == n && e.token_type_ids.size() == n && e.attention_mask.size() == n &&
                   e.offsets.size() == n && e.sequence_ids.size() == n,
               "encoding arrays differ in length");
  if (truncation != Truncation::DoNotTruncate) FUZZ_REQUIRE(n <= max_length, "encoding longer than max_length");
  for (size_t i = 0; i < n; ++i) {
    const std::string_view source = e.sequence_ids[i] == 1 ? *b : a;
    FUZZ_REQUIRE(e.offsets[i].first <= e.offsets[i].second && e.offsets[i].second <= source.size(),
                 "offset outside its text");
  }
}

}  // namespace earlybert::fuzz
