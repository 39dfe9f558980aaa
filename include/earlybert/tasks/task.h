// Task — what one kind of training job supplies to the generic Trainer (the Megatron/NVIDIA split).
//
// A task owns its data (already tokenized into features) and knows three things: which model head it
// trains, how to turn a list of feature indices into a Batch, and how to evaluate / predict with a
// model. Everything else — the order of the data, epochs, gradient accumulation, the EarlyBERT
// search → draw → efficient-training phases, checkpoints, logging — belongs to the Trainer, so every
// task gets the phases for free.
//
// Determinism contract (resume must reproduce losses exactly on CPU): train_batch() depends only on
// its arguments (indices, and `seed` for tasks that randomise per batch such as dynamic MLM masking),
// never on hidden state that advances between calls. The trainer derives `seed` from the run's seed
// and the epoch only (see trainer.h), so a feature's randomness is a pure function of (run seed,
// epoch, feature index): new every epoch, identical after a resume.
//
// The tasks: classification_task.h (GLUE, wordnet), pretraining_task.h (mlm, pretraining) and the
// SQuAD task (squad_task.h). Their tokenizer comes from task_tokenizer.h; task_registry.h maps the
// `task` key to them (and to tasks a user adds).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/batch.h"
#include "earlybert/model/bert_config.h"
#include "earlybert/tasks/eval_loop.h"

namespace earlybert {

struct TaskOptions;

/// Metrics with Hugging Face's names ("accuracy", "f1", "matthews_correlation", "pearson",
/// "spearmanr", "exact_match", "loss", ...), without the "eval_" prefix the trainer adds.
using Metrics = std::map<std::string, double>;

class Task {
 public:
  virtual ~Task() = default;

  /// Registry name: cola sst2 mrpc stsb qqp mnli qnli rte wnli wordnet squad squad_v2 pretraining ...
  virtual std::string name() const = 0;

  /// The model head this task trains.
  virtual ModelKind model_kind() const = 0;

  /// Adjusts a model config to the task before the model is built (num_labels, ...). Errors when a
  /// loaded config cannot fit (e.g. the vocabulary is smaller than the tokenizer's).
  virtual void configure_model(BertConfig& config) const = 0;

  /// Number of training features; 0 when the task has no training split (evaluation only).
  virtual int64_t train_size() const = 0;

  /// The training batch made of features `indices` (in that order). `seed` is fixed by the trainer
  /// per epoch so that randomised batches are reproducible across resume.
  virtual Batch train_batch(const std::vector<int64_t>& indices, uint64_t seed) const = 0;

  /// Runs the model over the evaluation split through the shared loop (eval_loop.h: eval mode, no
  /// grad, the model's device, the context's batch size, precision and ranks) and returns the task's
  /// metrics, the same on every rank.
  virtual Metrics evaluate(AnyBertModel& model, const EvalContext& context) = 0;

  /// Predicts on `split` ("dev" or "test") and writes the task's prediction file(s) into `dir`
  /// (GLUE submission TSV, SQuAD predictions.json, ...). Returns the paths written. With several
  /// ranks every rank calls it (the evaluation is sharded) and only rank 0 writes (writes_files()).
  virtual std::vector<std::string> predict(AnyBertModel& model, const std::string& split, const EvalContext& context,
                                           const std::string& dir) = 0;

  /// The metric that picks the best checkpoint when metric_for_best_model is not set: "loss" (Hugging
  /// Face's default) unless the task's evaluation has no loss (SQuAD: "f1").
  virtual std::string best_metric() const { return "loss"; }

  /// Tokens per training feature, for tokens/s logging (sequence length incl. padding).
  virtual int64_t tokens_per_feature() const = 0;
};

}  // namespace earlybert
