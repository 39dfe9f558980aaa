// SQuAD features: model inputs cut from a question and its (long) context, BERT-style.
//
// Each example becomes one or more windows over its context, as in Google's run_squad.py and Hugging
// Face's legacy squad_convert_examples_to_features:
//   [CLS] question [SEP] context window [SEP]        token_type_ids 0 ... 0 1 ... 1
//   - the question is cut to its first max_query_length (64) tokens;
//   - a window holds at most max_seq_length − len(question) − 3 context tokens (384 in total);
//   - windows start doc_stride (128) tokens apart: doc_stride is the STEP between window starts, as in
//     the original BERT code (not the overlap, which is what the `stride` of HF's fast-tokenizer
//     run_qa.py means), and the last window ends at the end of the context.
// For every context token a window remembers its byte range in the context (for mapping a predicted
// span back to text) and whether this window gives it the most context of all windows holding it
// (BERT's _check_is_max_context: score min(left, right) + 0.01·window length; the first best wins) —
// decoding only starts answers at such tokens.
//
// Training targets (start_position, end_position) are sequence positions of the first answer's first
// and last token, found through byte offsets as Hugging Face's run_qa.py does (start: the last context
// token beginning at or before the answer; end: the first token ending at or after it). When the
// answer is not entirely inside the window, or the question is impossible (v2.0), both are 0 ([CLS]).
// With `training` set, examples whose first answer does not match the context text are skipped and
// counted (SquadFeatures::skipped_examples), as Hugging Face skips them with a warning.
//
// Nothing is padded: the trainer pads input_ids with [PAD] and attention_mask with 0 when it batches.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "earlybert/data/squad.h"
#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

struct SquadFeatureOptions {
  size_t max_seq_length = 384;
  size_t doc_stride = 128;
  size_t max_query_length = 64;
  /// Skip examples whose first answer does not match the context (see above).
  bool training = false;
};

/// One window of one example.
struct SquadFeature {
  /// Index of the example in the vector given to build_squad_features.
  size_t example_index = 0;
  /// 0-based window number within the example.
  size_t window_index = 0;
  std::vector<int32_t> input_ids;
  std::vector<int32_t> token_type_ids;
  std::vector<int32_t> attention_mask;
  /// Sequence position of the first context token (after [CLS] question [SEP]).
  size_t context_start = 0;
  /// Per context token of the window (positions context_start ... context_start + size − 1): its byte
  /// range [first, second) in the example's context.
  std::vector<std::pair<size_t, size_t>> context_offsets;
  /// Per context token: 1 when this window gives the token its maximal context.
  std::vector<uint8_t> token_is_max_context;
  /// Index of the window's first token among all context tokens of the example.
  size_t doc_token_start = 0;
  /// Training targets: sequence positions of the answer's first and last token, 0 ([CLS]) when the
  /// answer is not inside this window or the question is impossible.
  int32_t start_position = 0;
  int32_t end_position = 0;
  /// True when start_position = end_position = 0 for one of those reasons.
  bool is_impossible = false;

  size_t size() const { return input_ids.size(); }
};

struct SquadFeatures {
  std::vector<SquadFeature> features;
  /// Examples skipped with `training` set because their answer did not match the context.
  size_t skipped_examples = 0;
  std::vector<std::string> skipped_ids;
};

/// Window starts and lengths over `num_tokens` context tokens: a window holds at most `max_tokens`,
/// the next starts min(length, doc_stride) later, the last ends at num_tokens. No tokens give one
/// empty window (so every example has a feature). Error when max_tokens or doc_stride is 0.
std::vector<std::pair<size_t, size_t>> squad_doc_windows(size_t num_tokens, size_t max_tokens, size_t doc_stride);

/// BERT's _check_is_max_context: whether window `window` is the one where token `position` (an index
/// among all context tokens) has the most context.
bool squad_is_max_context(const std::vector<std::pair<size_t, size_t>>& windows, size_t window, size_t position);

/// Builds the features of `examples`. Error when the options leave no room for context
/// (max_seq_length < max_query_length + 4: [CLS], two [SEP] and at least one context token) or
/// doc_stride or max_query_length is 0.
SquadFeatures build_squad_features(const std::vector<SquadExample>& examples, const Tokenizer& tokenizer,
                                   const SquadFeatureOptions& options = {});

}  // namespace earlybert
