// PretrainingTask — masked language modelling (`mlm`, BertForMaskedLM) or MLM + next-sentence
// prediction (`pretraining`, BertForPreTraining) over shards prepared by `earlybert prepare-pretraining`.
//
// Data: data_dir is a pre-training data directory (data/pretraining_dataset.h). Evaluation uses the
// directory named by validation_file when given; otherwise the last records of data_dir are held out
// and never trained on: max_eval_samples of them when set, else 5% (at least 1, at most 2000). The
// shards are shuffled when prepared, so the tail is a fair sample. max_train_samples keeps the first N
// training records.
//
// Masking is dynamic (data/masking.h): the trainer passes a seed fixed per epoch (derived from the
// run's `seed`), and record i of that epoch is masked with masking_seed(seed, 0, i) — new masks every
// epoch, and exactly the same masks after a resume. The options are those recorded by
// prepare-pretraining, with `mlm_probability` and `whole_word_mask` from the run's arguments.
// Evaluation masks are fixed (a seed derived from the run's seed only), so evaluations at different
// steps are comparable. Batches are padded to their longest sequence.
//
// The tokenizer (tokenizer_name or the model directory's) must be the one the shards were prepared
// with (the vocabulary fingerprint is checked); the trainer copies it into every checkpoint.
// `pretraining` on shards without NSP pairs trains MLM only (a warning says so).
//
// evaluate() returns loss (MLM + NSP), mlm_loss, mlm_accuracy (over masked positions), perplexity
// (exp of mlm_loss) and, with NSP, nsp_loss and nsp_accuracy. There are no prediction files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "earlybert/data/masking.h"
#include "earlybert/data/pretraining_dataset.h"
#include "earlybert/tasks/task.h"
#include "earlybert/tasks/task_options.h"
#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

/// Masked examples as a Batch padded to the longest with `pad_id` (labels -100 on padding);
/// next_sentence_label only when `with_nsp`.
Batch collate_pretraining(const std::vector<PretrainingExample>& examples, int32_t pad_id, bool with_nsp);

class PretrainingTask : public Task {
 public:
  /// args.task must be "mlm" or "pretraining"; data_dir must hold prepared shards (Error naming
  /// 'data_dir' otherwise).
  PretrainingTask(const TaskOptions& args, std::shared_ptr<const Tokenizer> tokenizer);

  std::string name() const override { return args_.task; }
  ModelKind model_kind() const override;
  void configure_model(BertConfig& config) const override;
  int64_t train_size() const override { return train_count_; }
  Batch train_batch(const std::vector<int64_t>& indices, uint64_t seed) const override;
  Metrics evaluate(AnyBertModel& model, const EvalContext& context) override;
  std::vector<std::string> predict(AnyBertModel& model, const std::string& split, const EvalContext& context,
                                   const std::string& dir) override;
  int64_t tokens_per_feature() const override;

  const PretrainingDataset& dataset() const { return train_data_; }
  const MaskingOptions& masking() const { return masking_; }
  /// Records used for evaluation (held out of data_dir, or all of validation_file's).
  int64_t eval_size() const { return eval_count_; }
  bool uses_nsp() const;

 private:
  TaskOptions args_;
  std::shared_ptr<const Tokenizer> tokenizer_;
  PretrainingDataset train_data_;
  std::unique_ptr<PretrainingDataset> eval_data_;  ///< validation_file's, or null (held-out tail)
  int64_t train_count_ = 0;
  int64_t eval_offset_ = 0;  ///< first evaluation record in its dataset
  int64_t eval_count_ = 0;
  MaskingOptions masking_;
};

}  // namespace earlybert
