// SQuAD windows and training targets; see include/earlybert/data/squad_features.h.
#include "earlybert/data/squad_features.h"

#include <algorithm>

#include "earlybert/base/error.h"

namespace earlybert {

std::vector<std::pair<size_t, size_t>> squad_doc_windows(size_t num_tokens, size_t max_tokens, size_t doc_stride) {
  if (max_tokens == 0) fail("squad features", "no room for context tokens in a window");
  if (doc_stride == 0) fail("doc_stride", "must be at least 1");
  std::vector<std::pair<size_t, size_t>> windows;
  if (num_tokens == 0) {
    windows.emplace_back(0, 0);
    return windows;
  }
  size_t start = 0;
  while (start < num_tokens) {
    const size_t length = std::min(num_tokens - start, max_tokens);
    windows.emplace_back(start, length);
    if (start + length == num_tokens) break;
    start += std::min(length, doc_stride);
  }
  return windows;
}

bool squad_is_max_context(const std::vector<std::pair<size_t, size_t>>& windows, size_t window, size_t position) {
  double best_score = -1.0;
  size_t best = 0;
  for (size_t i = 0; i < windows.size(); ++i) {
    const auto [start, length] = windows[i];
    if (length == 0 || position < start || position >= start + length) continue;
    const size_t left = position - start;
    const size_t right = start + length - 1 - position;
    const double score = static_cast<double>(std::min(left, right)) + 0.01 * static_cast<double>(length);
    if (score > best_score) {
      best_score = score;
      best = i;
    }
  }
  return best_score >= 0.0 && best == window;
}

SquadFeatures build_squad_features(const std::vector<SquadExample>& examples, const Tokenizer& tokenizer,
                                   const SquadFeatureOptions& options) {
  if (options.max_query_length == 0) fail("max_query_length", "must be at least 1");
  if (options.doc_stride == 0) fail("doc_stride", "must be at least 1");
  if (options.max_seq_length < options.max_query_length + 4) {
    fail("max_seq_length", std::to_string(options.max_seq_length) + " leaves no room for context after a " +
                               std::to_string(options.max_query_length) +
                               "-token question and [CLS]/[SEP]/[SEP] (needs at least max_query_length + 4)");
  }
  SquadFeatures out;
  for (size_t e = 0; e < examples.size(); ++e) {
    const SquadExample& ex = examples[e];
    const bool has_answer = !ex.is_impossible && !ex.answers.empty();
    if (options.training && has_answer && !ex.answers.front().matches_context) {
      ++out.skipped_examples;
      out.skipped_ids.push_back(ex.id);
      continue;
    }
    std::vector<Token> query = tokenizer.tokenize(ex.question);
    if (query.size() > options.max_query_length) query.resize(options.max_query_length);
    const std::vector<Token> doc = tokenizer.tokenize(ex.context_text());
    const size_t max_tokens = options.max_seq_length - query.size() - 3;
    const auto windows = squad_doc_windows(doc.size(), max_tokens, options.doc_stride);

    for (size_t w = 0; w < windows.size(); ++w) {
      const auto [start, length] = windows[w];
      const std::vector<Token> window(doc.begin() + static_cast<std::ptrdiff_t>(start),
                                      doc.begin() + static_cast<std::ptrdiff_t>(start + length));
      Encoding enc = tokenizer.encode_tokens(query, &window, options.max_seq_length, Truncation::DoNotTruncate);
      SquadFeature f;
      f.example_index = e;
      f.window_index = w;
      f.doc_token_start = start;
      f.input_ids = std::move(enc.input_ids);
      f.token_type_ids = std::move(enc.token_type_ids);
      f.attention_mask = std::move(enc.attention_mask);
      // [CLS] question [SEP]: the context starts right after; taken from the encoding's sequence ids so
      // that a tokenizer with another special-token layout still maps correctly.
      const auto first_context = std::find(enc.sequence_ids.begin(), enc.sequence_ids.end(), 1);
      f.context_start = static_cast<size_t>(first_context - enc.sequence_ids.begin());
      if (length == 0) f.context_start = query.size() + 2;
      f.context_offsets.reserve(length);
      f.token_is_max_context.reserve(length);
      for (size_t k = 0; k < length; ++k) {
        f.context_offsets.push_back(enc.offsets[f.context_start + k]);
        f.token_is_max_context.push_back(squad_is_max_context(windows, w, start + k) ? 1 : 0);
      }

      f.is_impossible = true;
      if (has_answer && length > 0) {
        const size_t answer_begin = ex.answers.front().byte_begin;
        const size_t answer_end = ex.answers.front().byte_end;
        const auto& offs = f.context_offsets;
        if (offs.front().first <= answer_begin && offs.back().second >= answer_end) {
          size_t s = 0;
          while (s + 1 < offs.size() && offs[s + 1].first <= answer_begin) ++s;
          size_t t = offs.size() - 1;
          while (t > 0 && offs[t - 1].second >= answer_end) --t;
          if (s <= t) {
            f.start_position = static_cast<int32_t>(f.context_start + s);
            f.end_position = static_cast<int32_t>(f.context_start + t);
            f.is_impossible = false;
          }
        }
      }
      out.features.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace earlybert
