// The own-files classification task — see include/earlybert/tasks/text_classification_task.h.
#include "earlybert/tasks/text_classification_task.h"

#include <memory>

#include "earlybert/base/error.h"
#include "earlybert/data/text_classification_files.h"

namespace earlybert {

TaskSpec text_classification_spec(const TaskOptions& options) {
  if (options.train_file.empty())
    fail("train_file",
         "task text_classification needs train_file (CSV, TSV or JSON Lines with a label column); it defines the "
         "columns and the labels");
  auto files = std::make_shared<const TextClassificationFiles>(
      read_text_classification_files(options.train_file, options.validation_file, options.test_file));
  TaskSpec spec;
  spec.name = kTextClassificationTask;
  spec.is_pair = files->columns.text_b.has_value();
  spec.is_regression = files->labels.regression;
  spec.label_names = files->labels.labels;
  spec.metric_names =
      spec.is_regression ? std::vector<std::string>{"pearson", "spearmanr"} : std::vector<std::string>{"accuracy"};
  spec.submission_file = "predict_results.tsv";
  spec.load = [files](const TaskSpec&, const std::string&, Split split) -> TaskExamples {
    const char* key = split == Split::Train ? "train_file" : split == Split::Dev ? "validation_file" : "test_file";
    const TaskExamples& ex = split == Split::Train ? files->train
                             : split == Split::Dev ? files->validation
                                                   : files->test;
    if (ex.source.empty())
      fail(key, std::string("task text_classification: no ") + key + " given for the " + split_name(split) + " split");
    return ex;
  };
  return spec;
}

}  // namespace earlybert
