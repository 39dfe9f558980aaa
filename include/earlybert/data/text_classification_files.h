// A text classification or regression task from the user's own files, as run_glue.py reads
// --train_file / --validation_file / --test_file (tables from data/text_table.h).
//
// Columns. The label column is `label` (or the one named). The text columns are the ones named, or
// else run_glue's rule on the training file: `sentence1` and `sentence2` when both exist, otherwise
// the first two non-label columns (a pair), or the only one. The other files must have the same text
// columns; the test file may lack the label column.
//
// Labels. A label column of numbers of which at least one is not an integer (1.5, 2.0 — pyarrow's
// float64) makes the task a regression with one output; anything else is classification over the
// sorted set of the training file's labels (integers sorted as numbers, text as text), and the
// validation and test labels are mapped through that list. A label outside it is an Error naming
// "<file>:<line>". In a test file an empty/null label, or -1 (run_glue's "no label"), leaves the
// example unlabelled.
//
// The examples are the same TextExample/TaskExamples the GLUE tasks produce (data/glue.h), so the
// classification task and prediction writers take them unchanged.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "earlybert/data/glue.h"
#include "earlybert/data/text_table.h"

namespace earlybert {

struct TextColumnOptions {
  std::string text_column;       ///< first text; empty: inferred
  std::string text_pair_column;  ///< second text; empty: inferred (when text_column is empty too)
  std::string label_column = "label";
};

struct TextColumns {
  std::string text_a;
  std::optional<std::string> text_b;
  std::string label;
};

struct LabelSpace {
  bool regression = false;
  std::vector<std::string> labels;  ///< classification labels in id order (sorted); empty for regression

  size_t num_labels() const { return regression ? 1 : labels.size(); }
  /// Id of `label`, or -1.
  int32_t id(const std::string& label) const;
};

/// The text and label columns of `train` (rules above). Error naming the file for a named column it
/// lacks, or when it has no text column besides the label.
TextColumns infer_text_columns(const TextTable& train, const TextColumnOptions& options = {});

/// Regression or the sorted classification labels of `train`'s label column. Error naming the file
/// when it has no such column, or "<file>:<line>" for a row without a label.
LabelSpace infer_label_space(const TextTable& train, const std::string& label_column = "label");

/// The examples of `table`. Text cells must be strings (numbers are taken as written); an empty text
/// cell, a missing column, a label not in `labels` or not a number (regression) are Errors naming
/// the file (and line). Labels are required except for Split::Test; an empty `columns.label` reads
/// no labels (prediction inputs).
TaskExamples text_examples(const TextTable& table, const TextColumns& columns, const LabelSpace& labels, Split split);

/// Everything a task needs from the three files; empty paths are skipped (a training file is needed
/// to know the columns and labels).
struct TextClassificationFiles {
  TextColumns columns;
  LabelSpace labels;
  TaskExamples train, validation, test;
};
TextClassificationFiles read_text_classification_files(const std::string& train_file,
                                                       const std::string& validation_file = "",
                                                       const std::string& test_file = "",
                                                       const TextColumnOptions& options = {});

}  // namespace earlybert
