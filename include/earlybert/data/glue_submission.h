// GLUE prediction files: writing them in the GLUE server's submission format, reading them back, and
// scoring them against a labelled split (what `earlybert score` does).
//
// The format is the one Hugging Face's run_glue.py writes and gluebenchmark.com accepts:
//   index<TAB>prediction          header line
//   0<TAB>entailment              one row per example, `index` = the example's 0-based position
//   1<TAB>not_entailment
// Classification predictions are label strings as in the task's files ("0"/"1" for CoLA, SST-2, MRPC,
// QQP, WNLI; "entailment", ... for MNLI, QNLI, RTE); STS-B predictions are scores written "%.3f"
// (run_glue's "%3.3f"). A submission zip holds one file per task named as submission_file_name()
// says (CoLA.tsv, SST-2.tsv, MRPC.tsv, STS-B.tsv, QQP.tsv, MNLI-m.tsv, MNLI-mm.tsv, QNLI.tsv, RTE.tsv,
// WNLI.tsv). Files are written atomically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "earlybert/data/glue.h"
#include "earlybert/data/metrics.h"

namespace earlybert {

/// One row of a prediction file.
struct GluePrediction {
  int64_t index = 0;
  /// Class id (index into label_names) for classification tasks; -1 for regression.
  int32_t label_id = -1;
  /// Predicted value for regression tasks.
  float value = 0.0f;
  /// 1-based line in the file it was read from.
  size_t line = 0;
};

/// The file name the GLUE server expects for `task` ("MNLI-mm.tsv"); Error when the task has none.
std::string submission_file_name(const TaskSpec& task);

/// Writes class predictions (one per example, in example order) as `index<TAB>label`. Error for an id
/// outside the task's labels or for a regression task.
void write_glue_predictions(const TaskSpec& task, const std::string& path, const std::vector<int32_t>& label_ids);
/// Writes regression predictions as `index<TAB>%.3f`. Error for a non-finite value or a
/// classification task.
void write_glue_predictions(const TaskSpec& task, const std::string& path, const std::vector<float>& values);

/// Reads a prediction file. Error naming "<file>:<line>" for a missing or wrong header, a row without
/// exactly two fields, an index that is not a non-negative integer, a repeated index, or a prediction
/// that is not one of the task's labels (not a finite number, for regression).
std::vector<GluePrediction> read_glue_predictions(const TaskSpec& task, const std::string& path);

/// Scores predictions against a labelled split: every example must have exactly one prediction with
/// its index. Error naming `predictions_source` and the index for a missing prediction, an index
/// beyond the split, or an unlabelled split. Returns task_metrics().
MetricValues score_glue_predictions(const TaskSpec& task, const TaskExamples& gold,
                                    const std::vector<GluePrediction>& predictions,
                                    const std::string& predictions_source);

}  // namespace earlybert
