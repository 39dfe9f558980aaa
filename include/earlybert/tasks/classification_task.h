// ClassificationTask — every GLUE task (cola sst2 mrpc stsb qqp mnli qnli rte wnli) and the WordNet
// category task, for BertForSequenceClassification; also `text_classification`, the same over the
// user's own CSV / TSV / JSON Lines files (tasks/text_classification_task.h).
//
// Data: the task's splits as the data area reads them (data/glue.h; `wordnet` needs no data_dir),
// `train_file` / `validation_file` replacing the train / dev file when given, cut to
// max_train_samples / max_eval_samples. Every example is tokenized once, when its split is first
// needed ([CLS] a [SEP] (b [SEP]), longest-first truncation to max_seq_length), and kept as ids.
//
// Batches are padded to the longest sequence *in the batch* (dynamic padding), not to max_seq_length:
// GLUE sentences are mostly far shorter than 128 tokens, and on a CPU the saved positions are saved
// time. Padding is deterministic, so resuming still reproduces the losses exactly. Labels are class
// ids (int64) or, for STS-B, float scores (num_labels 1, MSE loss).
//
// evaluate() returns the task's metrics (Hugging Face names, via task_metrics(): accuracy, f1,
// matthews_correlation, pearson, spearmanr, combined_score) and the mean loss ("loss"). MNLI evaluates
// dev_matched and, when dev_mismatched.tsv is present, dev_mismatched too, whose keys get the suffix
// "_mm" (accuracy_mm, loss_mm), as run_glue.py reports them.
// predict() writes GLUE submission files (data/glue_submission.h): `<dir>/<CoLA.tsv ...>` for the test
// split and `<dir>/dev/<CoLA.tsv ...>` for the dev split (`earlybert score` reads either); MNLI writes
// MNLI-m.tsv and MNLI-mm.tsv.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "earlybert/data/glue.h"
#include "earlybert/tasks/task.h"
#include "earlybert/tasks/task_options.h"
#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

/// One tokenized example.
struct ClassificationFeature {
  std::vector<int32_t> input_ids;
  std::vector<int32_t> token_type_ids;
  int32_t label_id = -1;    ///< class id; -1 for regression and unlabelled examples
  float label_value = 0.f;  ///< regression target
  bool has_label = false;
};

/// Tokenizes examples ([CLS] a [SEP] (b [SEP]) truncated to max_seq_length).
std::vector<ClassificationFeature> tokenize_examples(const Tokenizer& tokenizer,
                                                     const std::vector<TextExample>& examples, int64_t max_seq_length);

/// features[indices] as a Batch padded to the longest of them with `pad_id`; labels (int64 class ids,
/// or float for `regression`) only when every feature has one.
Batch collate_classification(const std::vector<ClassificationFeature>& features, const std::vector<int64_t>& indices,
                             int32_t pad_id, bool regression);

class ClassificationTask : public Task {
 public:
  /// `args.task` must name a GLUE task or wordnet (Error naming 'task' otherwise).
  ClassificationTask(const TaskOptions& args, std::shared_ptr<const Tokenizer> tokenizer);

  std::string name() const override { return name_; }
  ModelKind model_kind() const override { return ModelKind::SequenceClassification; }
  void configure_model(BertConfig& config) const override;
  int64_t train_size() const override;
  Batch train_batch(const std::vector<int64_t>& indices, uint64_t seed) const override;
  Metrics evaluate(AnyBertModel& model, const EvalContext& context) override;
  std::vector<std::string> predict(AnyBertModel& model, const std::string& split, const EvalContext& context,
                                   const std::string& dir) override;
  int64_t tokens_per_feature() const override;

  const TaskSpec& spec() const { return *spec_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  /// The tokenized training split (read on first use).
  const std::vector<ClassificationFeature>& train_features() const;

 private:
  struct Split_ {
    std::vector<TextExample> examples;
    std::vector<ClassificationFeature> features;
  };
  Split_ load_split(const TaskSpec& spec, Split split, const std::string& explicit_file, int64_t limit) const;
  /// Logits [N, num_labels] (and the mean loss when labelled) over `features`.
  struct Outputs {
    torch::Tensor logits;
    std::optional<double> loss;
  };
  Outputs run(AnyBertModel& model, const std::vector<ClassificationFeature>& features,
              const EvalContext& context) const;
  Metrics score(const TaskSpec& spec, const Outputs& out, const std::vector<ClassificationFeature>& features) const;

  TaskOptions args_;
  std::string name_;
  const TaskSpec* spec_ = nullptr;
  std::shared_ptr<const TaskSpec> own_spec_;   ///< text_classification: the spec built from the user's files
  const TaskSpec* mismatched_spec_ = nullptr;  ///< MNLI only
  std::shared_ptr<const Tokenizer> tokenizer_;
  mutable std::optional<Split_> train_;
  std::optional<Split_> dev_;     ///< read on the first evaluate()
  std::optional<Split_> dev_mm_;  ///< MNLI dev_mismatched, when present
};

}  // namespace earlybert
