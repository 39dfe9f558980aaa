// SQuAD answer decoding: from per-token start/end logits of every window to one answer text per
// question, and the predictions.json file.
//
// The procedure is Hugging Face's (legacy compute_predictions_logits, itself Google's run_squad.py):
//   for every window of a question, take the n_best_size (20) highest start logits and the 20 highest
//   end logits over the whole sequence (ties: lower position first); keep pairs (s, e) with both in
//   the window's context, s a max-context token of the window, s <= e and e − s + 1 <=
//   max_answer_length (30); rank all kept pairs of all windows by start + end logit; the text of a
//   pair is the context bytes from the start of token s to the end of token e (through the windows'
//   byte offsets, so the answer is exact original text, accents and spacing included); candidates
//   with a text already seen are dropped, the first n_best_size remain (with softmax probabilities).
// SQuAD v2.0 (version_2_with_negative): the null score is the smallest start[0] + end[0] ([CLS]) over
//   the question's windows; it joins the candidates as the empty answer, and the prediction is "" when
//   null_score − (best non-empty start + end) > null_score_diff_threshold (default 0.0), else the best
//   non-empty text.
// Where HF inserts a placeholder text "empty" when no span survives, the prediction here is "" (it
// scores the same in v1.1, and means "no answer" in v2.0).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "earlybert/data/squad.h"
#include "earlybert/data/squad_features.h"

namespace earlybert {

struct SquadDecodeOptions {
  size_t n_best_size = 20;
  size_t max_answer_length = 30;
  bool version_2_with_negative = false;
  double null_score_diff_threshold = 0.0;
};

/// The model's outputs for one feature: one start and one end logit per sequence position (at least
/// feature.size() of them; extra positions, e.g. padding, are ignored).
struct SquadLogits {
  std::vector<float> start;
  std::vector<float> end;
};

struct SquadCandidate {
  /// Answer text, "" for the null (no-answer) candidate.
  std::string text;
  float start_logit = 0.0f;
  float end_logit = 0.0f;
  /// Softmax of start_logit + end_logit over the n-best list.
  double probability = 0.0;
  /// Byte range of `text` in the context (0, 0 for the null candidate).
  size_t byte_begin = 0;
  size_t byte_end = 0;
};

struct SquadPrediction {
  std::string id;
  /// The answer; "" means no answer.
  std::string text;
  /// Best candidates, best first.
  std::vector<SquadCandidate> nbest;
  /// v2.0: the null score and null_score − best non-null score (the "null odds"); 0 for v1.1.
  double null_score = 0.0;
  double score_diff = 0.0;
};

/// Decodes one prediction per example, in example order. `logits[i]` belongs to `features[i]`; Error
/// when the counts differ, a logits vector is shorter than its feature, or a feature names an example
/// that does not exist.
std::vector<SquadPrediction> decode_squad_predictions(const std::vector<SquadExample>& examples,
                                                      const std::vector<SquadFeature>& features,
                                                      const std::vector<SquadLogits>& logits,
                                                      const SquadDecodeOptions& options = {});

/// Writes predictions.json: {"<id>": "<answer text>", ...} ("" for no answer), atomically.
void write_squad_predictions(const std::string& path, const std::vector<SquadPrediction>& predictions);
/// Writes nbest_predictions.json: {"<id>": [{"text", "probability", "start_logit", "end_logit"}, ...]}.
void write_squad_nbest(const std::string& path, const std::vector<SquadPrediction>& predictions);
/// Writes null_odds.json (v2.0): {"<id>": score_diff}.
void write_squad_null_odds(const std::string& path, const std::vector<SquadPrediction>& predictions);

/// Reads a predictions.json: an object of id -> answer string. Error naming the file and key otherwise.
std::map<std::string, std::string> read_squad_predictions(const std::string& path);

}  // namespace earlybert
