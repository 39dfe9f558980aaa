// GLUE tasks: what each task is (TaskSpec), a registry of tasks, and reading a task's examples.
//
// The built-in tasks and their files follow the original GLUE layout (download_glue_data.py) and read
// the same columns and labels as Hugging Face's transformers.data.processors.glue:
//
//   task     folder  files (train / dev / test)                       text_a text_b label  labels
//   cola     CoLA    train, dev: no header, 4 columns; test: index,sentence  3   -     1  "0","1"
//   sst-2    SST-2   header sentence,label; test: index,sentence          0   -     1  "0","1"
//   mrpc     MRPC    BOM + header Quality,#1 ID,#2 ID,#1 String,#2 String 3   4     0  "0","1"
//   sts-b    STS-B   10 columns, score last; test 9 columns               7   8    -1  score in [0, 5]
//   qqp      QQP     id,qid1,qid2,question1,question2,is_duplicate        3   4     5  "0","1"
//                    test: id,question1,question2                          1   2
//   mnli     MNLI    train, dev_matched, test_matched                      8   9    -1  contradiction,
//   mnli-mm  MNLI    train, dev_mismatched, test_mismatched                8   9    -1  entailment, neutral
//   qnli     QNLI    index,question,sentence,label                         1   2    -1  entailment,
//   rte      RTE     index,sentence1,sentence2,label                       1   2    -1  not_entailment
//   wnli     WNLI    index,sentence1,sentence2,label                       1   2    -1  "0","1"
// (test files use the same text columns unless shown; negative columns count from the row's end.)
// File names are <split>.tsv except MNLI's dev/test. Names are matched case-insensitively and the
// spellings of the `datasets` library are accepted too (sst2, stsb, mnli_matched, mnli_mismatched).
//
// Strictness. Every row must have the header's number of fields (CoLA: 4), every label must be in the
// task's label set, every line valid UTF-8; otherwise an Error names "<file>:<line>". No row is dropped
// silently: QQP is the one task whose reader skips malformed rows (wrong field count), because Hugging
// Face's QqpProcessor does (its `except IndexError: continue`); they are counted in
// TaskExamples::skipped_rows and logged as a warning.
//
// Extending. Other tasks (the WordNet lexicographer-category task) register a TaskSpec with their own
// `load` function; everything downstream — the trainer, prediction files, `earlybert score` — sees
// them exactly like a GLUE task.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "earlybert/data/metrics.h"

namespace earlybert {

enum class Split { Train, Dev, Test };

/// "train", "dev", "test".
const char* split_name(Split split);
/// Parses "train" / "dev" / "test" (also "validation"); Error naming `where` otherwise.
Split parse_split(const std::string& name, const std::string& where);

/// Which columns of a task's TSV file hold what. Column numbers are 0-based; a negative number counts
/// from the end of the row, like Python's line[-1].
struct TsvLayout {
  /// The first line is a header: skipped, and its field count is the count every row must have.
  bool header = true;
  /// Fields per row for a file without a header (CoLA: 4). Ignored when `header` is true.
  size_t num_fields = 0;
  int text_a = 0;
  std::optional<int> text_b;
  /// Label column; absent for unlabelled (test) files.
  std::optional<int> label;
  /// Column holding the example id used in the guid ("<file stem>-<id>"); absent: the 0-based line
  /// index of the row in the file, which is what Hugging Face's processors use.
  std::optional<int> guid;
};

struct TextExample;
struct TaskExamples;
struct TaskSpec;

/// Reads one split of a task; `data_dir` is what the user gave (may be empty for tasks that need none).
using TaskLoader = std::function<TaskExamples(const TaskSpec& task, const std::string& data_dir, Split split)>;

/// Everything the trainer, the prediction writer and the scorer need to know about a task.
struct TaskSpec {
  /// Canonical lower-case name ("mrpc", "sts-b", "mnli-mm", "wordnet").
  std::string name;
  /// Other accepted spellings ("stsb").
  std::vector<std::string> aliases;
  /// Folder of the task inside a GLUE root ("MRPC"); empty when the task needs no data directory.
  std::string dir_name;
  /// True for sentence-pair tasks (text_b present).
  bool is_pair = false;
  bool is_regression = false;
  /// Label strings as written in the files, in id order (HF's get_labels()); empty for regression.
  std::vector<std::string> label_names;
  /// Closed range a regression target must lie in (STS-B: [0, 5]).
  double min_value = 0.0;
  double max_value = 0.0;
  /// Metrics reported, HF names: "accuracy", "f1", "matthews_correlation", "pearson", "spearmanr".
  std::vector<std::string> metric_names;
  /// File names per split inside the task folder.
  std::string train_file = "train.tsv";
  std::string dev_file = "dev.tsv";
  std::string test_file = "test.tsv";
  /// Column layouts of labelled (train/dev) and unlabelled (test) files.
  TsvLayout labeled_layout;
  TsvLayout test_layout;
  /// Skip and count rows with a wrong field count instead of failing (QQP, as Hugging Face does).
  bool skip_malformed_rows = false;
  /// File the GLUE server expects for this task's test predictions ("MRPC.tsv", "MNLI-m.tsv").
  std::string submission_file;
  /// Custom reader for tasks that are not TSV files in a data directory; empty for TSV tasks.
  TaskLoader load;
  /// False for a spec that only evaluates another task's model (MNLI's mismatched dev/test set): it
  /// is not offered as a training task.
  bool trainable = true;

  /// Classes of a classification task; 1 for regression (one output).
  size_t num_labels() const { return is_regression ? 1 : label_names.size(); }
  /// Id of a label string, or -1 when it is not one of label_names.
  int32_t label_id(const std::string& label) const;
  /// The file name of `split` (train_file, dev_file or test_file).
  const std::string& file_name(Split split) const;
};

/// One example of a text classification / regression task.
struct TextExample {
  /// Hugging Face's guid: "<file stem>-<id>" ("dev-12", "dev_matched-7").
  std::string guid;
  /// 0-based position among the split's examples; the `index` column of prediction files.
  int64_t index = 0;
  /// 1-based line in the source file (0 when the example did not come from a file).
  size_t line = 0;
  std::string text_a;
  std::optional<std::string> text_b;
  /// The label as written in the file; absent for unlabelled (test) splits.
  std::optional<std::string> label;
  /// Index into TaskSpec::label_names; -1 for regression and unlabelled examples.
  int32_t label_id = -1;
  /// Regression target (STS-B score); 0 for classification and unlabelled examples.
  float label_value = 0.0f;

  bool has_label() const { return label.has_value(); }
};

/// The examples of one split, with what was read and what was skipped.
struct TaskExamples {
  std::string task;
  Split split = Split::Train;
  /// The file read (or a description, for tasks with a custom loader).
  std::string source;
  std::vector<TextExample> examples;
  /// Rows skipped by the task's documented policy (only QQP's malformed rows); each was warned about.
  size_t skipped_rows = 0;
  /// 1-based lines of the skipped rows.
  std::vector<size_t> skipped_lines;
};

/// Adds a task. Error when its name or an alias is taken, or the spec is inconsistent (no labels for a
/// classification task, an unknown metric, a regression metric on a classification task, a layout
/// without a header or field count, ...). Thread-safe; specs are never removed.
void register_task(TaskSpec spec);

/// The task called `name` (case-insensitive, aliases accepted); Error listing the known tasks otherwise.
const TaskSpec& find_task(const std::string& name);
/// Same, nullptr when unknown.
const TaskSpec* lookup_task(const std::string& name);
/// Canonical names of all registered tasks, sorted.
std::vector<std::string> task_names();

/// The folder holding a task's files: `data_dir/<dir_name>` when that is a directory (data_dir is a
/// GLUE root, as written by download_glue_data.py), otherwise `data_dir` itself (the task folder).
std::string resolve_task_dir(const TaskSpec& task, const std::string& data_dir);

/// Reads one split of a task: its `load` function when set, else its TSV file in resolve_task_dir().
/// Error when the file is missing, for the test split when reading labels, and for every bad row.
TaskExamples load_task_examples(const TaskSpec& task, const std::string& data_dir, Split split);

/// Reads one TSV file with the task's layout for `split` (labeled_layout for train/dev, test_layout
/// for test). The guid prefix is the file's stem.
TaskExamples read_task_tsv(const TaskSpec& task, const std::string& path, Split split);

/// The task's metrics for class-id predictions (HF keys), plus "combined_score" — the mean of the
/// metrics — when there are several, as Hugging Face's run_glue.py reports it.
MetricValues task_metrics(const TaskSpec& task, const std::vector<int32_t>& predicted_ids,
                          const std::vector<int32_t>& label_ids);
/// Same for a regression task (STS-B: pearson, spearmanr, combined_score).
MetricValues task_metrics(const TaskSpec& task, const std::vector<float>& predicted_values,
                          const std::vector<float>& label_values);

}  // namespace earlybert
