// Word-level labels for token classification (NER, POS tagging): the pieces a CoNLL-style task needs
// between "words with tags" and "sub-token ids with label ids".
//
// A tagged sentence is a list of words, each with one label. The model sees sub-tokens: a word may
// become several WordPieces ("Washington" -> "washing", "##ton"), and [CLS]/[SEP] carry no word. As
// Hugging Face's run_ner.py (tokenize_and_align_labels) does, with label_all_tokens=false:
//   * special tokens and padding get -100 (ignored by the loss and the metric);
//   * the first sub-token of each word gets the word's label;
//   * the continuation sub-tokens get -100 — or, with label_all_tokens, the word's label with a B-
//     tag turned into the matching I- tag when the label set has it (run_ner's b_to_i_label).
// Truncation cuts sub-tokens from the end, so words past max_length lose their labels, as there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

/// The label id ignored by the token-classification loss (Hugging Face's ignore_index).
inline constexpr int64_t kIgnoredLabel = -100;

/// A sentence given as words, encoded for the model: [CLS] sub-tokens [SEP], and for each position
/// the index of the word it came from (-1 for [CLS] and [SEP]): Hugging Face's word_ids().
struct WordEncoding {
  Encoding encoding;
  std::vector<int64_t> word_ids;
};

/// Tokenizes each word on its own (is_split_into_words=True) and builds [CLS] ... [SEP] truncated to
/// `max_length` positions. A word that yields no sub-token (e.g. only control characters) simply has
/// no position, as with Hugging Face's tokenizers. Error (from the tokenizer) for invalid UTF-8 or a
/// max_length below 3.
WordEncoding encode_words(const Tokenizer& tokenizer, const std::vector<std::string>& words, size_t max_length);

/// Per position: -100, the word's label, or (label_all_tokens) the continuation label, following
/// the rules above. `word_ids` as in WordEncoding; `word_labels` one id per word. `continuation`
/// maps a label id to the id continuation sub-tokens get (b_to_i_labels()); used only with
/// label_all_tokens. Error when a word id has no label.
std::vector<int64_t> align_word_labels(const std::vector<int64_t>& word_ids, const std::vector<int64_t>& word_labels,
                                       bool label_all_tokens = false, const std::vector<int64_t>& continuation = {});

/// run_ner's b_to_i_label: for each label, the id of "I-X" when the label is "B-X" and "I-X" exists,
/// else the label itself.
std::vector<int64_t> b_to_i_labels(const std::vector<std::string>& label_names);

/// Back from positions to words: the prediction of each word is the one at its first sub-token (what
/// run_ner evaluates); words that were truncated away (or had no sub-token) get -1.
std::vector<int64_t> word_predictions(const std::vector<int64_t>& word_ids, const std::vector<int64_t>& predictions,
                                      size_t num_words);

}  // namespace earlybert
