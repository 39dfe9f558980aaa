// SQuAD exact match and F1, exactly as the official evaluate-v1.1.py / evaluate-v2.0.py compute them.
//
// normalize_answer: lower-case; remove ASCII punctuation (Python's string.punctuation); replace the
// words a / an / the by a space (regex \b(a|an|the)\b with Python's Unicode word boundaries: letters,
// digits and '_' are word characters); collapse whitespace (str.split(): Unicode whitespace) to single
// spaces. Lower-casing uses utf8proc's simple case mapping, which equals Python's str.lower() except
// for its few one-to-many mappings (U+0130 'İ') and final-sigma context — no SQuAD answer has either.
//
// Exact match: 1 when the normalized texts are equal. F1: over the normalized texts' tokens (split on
// spaces), common = multiset intersection; 0 when nothing is common, else 2·P·R/(P+R). The two scripts
// differ only at empty answers: v2.0 scores an empty prediction against an empty gold 1 (v1.1: F1 0).
// A question's score is the maximum over its gold answers. v2.0 gold answers are those whose
// normalization is not empty, or [""] when none is (no-answer questions).
//
// evaluate_squad reports percentages (0–100) as the official scripts print them:
//   v1.1: exact_match, f1
//   v2.0: exact_match (= the script's "exact"), exact, f1, total, and HasAns_exact/HasAns_f1/
//         HasAns_total, NoAns_exact/NoAns_f1/NoAns_total for the answerable / unanswerable subsets
//         present; no null-probability threshold is applied (the predictions decide "" themselves).
// Unlike the scripts, which print a notice and score a missing prediction 0 (v1.1) or skip it (v2.0),
// a question without a prediction, or a prediction for an unknown id, is an Error naming the id.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "earlybert/data/metrics.h"
#include "earlybert/data/squad.h"

namespace earlybert {

enum class SquadVersion { V1, V2 };

/// The official answer normalization.
std::string normalize_squad_answer(std::string_view text);

/// 1.0 when normalize(prediction) == normalize(gold), else 0.0.
double squad_exact_match(std::string_view prediction, std::string_view gold);

/// Token F1 in [0, 1] with the chosen script's treatment of empty answers.
double squad_f1(std::string_view prediction, std::string_view gold, SquadVersion version);

/// Gold answer texts of an example as the chosen script scores them (v2.0: non-empty after
/// normalization, or {""}).
std::vector<std::string> squad_gold_answers(const SquadExample& example, SquadVersion version);

/// Scores predictions (id -> text) against every example. Error naming `predictions_source` and the id
/// for a missing prediction or an unknown id, and for an example without answers under v1.1.
MetricValues evaluate_squad(const std::vector<SquadExample>& examples,
                            const std::map<std::string, std::string>& predictions, SquadVersion version,
                            const std::string& predictions_source = "predictions");

/// evaluate-v2.0.py's find_all_best_thresh (Hugging Face's squad_v2 metric reports the same keys):
/// the questions sorted by their no-answer probability `na_probs[id]` (null odds: null score − best
/// span score; stable for ties), answering "" for every question up to a threshold; best_exact /
/// best_f1 are the best such scores (percent) and best_exact_thresh / best_f1_thresh the thresholds.
/// Errors as evaluate_squad, and for a question without an entry in `na_probs`.
MetricValues squad_v2_best_thresholds(const std::vector<SquadExample>& examples,
                                      const std::map<std::string, std::string>& predictions,
                                      const std::map<std::string, double>& na_probs,
                                      const std::string& predictions_source = "predictions");

}  // namespace earlybert
