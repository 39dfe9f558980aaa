// `text_classification`: a classification or regression task from the user's own files, the way
// Hugging Face's run_glue.py trains when it gets --train_file instead of --task_name.
//
//   earlybert finetune --train_file train.csv --validation_file dev.csv --model_name_or_path BERT_DIR
//       --output_dir runs/mine          (task text_classification is implied by --train_file)
//
// The files are CSV, TSV or JSON Lines (data/text_table.h); columns and labels follow run_glue's rules
// (data/text_classification_files.h): the label column is `label`; the texts are `sentence1`/`sentence2`
// or the first one or two other columns; labels that are numbers with a fraction make a regression
// task (one output, MSE loss, metrics pearson / spearmanr), anything else classification over the
// sorted labels of the training file (metric accuracy), so num_labels comes from the data. A malformed
// row is an Error naming "<file>:<line>". The training file is required even to evaluate or predict
// (it defines the label ids, as in run_glue.py); validation_file is needed to evaluate and test_file
// to predict (`predict_results.tsv`: index and predicted label, as GLUE submission files).
//
// The task is a ClassificationTask (tasks/classification_task.h) over a TaskSpec built from the files,
// so training, evaluation and prediction are the GLUE code paths unchanged.
#pragma once

#include "earlybert/data/glue.h"
#include "earlybert/tasks/task_options.h"

namespace earlybert {

/// The registry name of the own-files task.
inline constexpr const char* kTextClassificationTask = "text_classification";

/// The TaskSpec of options.train_file / validation_file / test_file (read once, here): name
/// text_classification, labels and regression from the data, a `load` that returns each file's
/// examples. Error naming 'train_file' when it is empty, and the file (and line) for bad data; a split
/// whose file was not given is an Error naming its key when it is loaded.
TaskSpec text_classification_spec(const TaskOptions& options);

}  // namespace earlybert
