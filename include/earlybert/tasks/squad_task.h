// SquadTask — extractive question answering on SQuAD v1.1 (`squad`) and v2.0 (`squad_v2`), for
// BertForQuestionAnswering: the Task (task.h) that plugs SQuAD into the generic Trainer.
//
// Data: the official JSON files (data/squad.h). With `data_dir` the task reads train-v1.1.json /
// dev-v1.1.json (squad) or train-v2.0.json / dev-v2.0.json (squad_v2) from it; `train_file` /
// `validation_file` name the files explicitly and win over data_dir. A file is read when its split is
// first needed, so `earlybert eval` needs no training file (the public data has none for v1.1). A
// missing file is an Error naming the key it came from (data_dir, train_file or validation_file) and
// the path. max_train_samples / max_eval_samples keep the first N *questions* (before windowing).
// `squad` on a file with impossible questions is an Error naming the file (v1.1 has no "no answer", so
// scoring it would be silently wrong); `squad_v2` on a file without any is allowed, with a warning.
//
// Features (data/squad_features.h): [CLS] question [SEP] context window [SEP] with max_seq_length
// (384 in configs/finetune/squad.yaml), doc_stride (128, the step between windows, as Google's and
// Hugging Face's legacy code) and max_query_length (64) from the arguments. Training features target
// the first answer's tokens, or [CLS] (0) when the answer is outside the window or the question is
// impossible; training skips questions whose answer does not match its context, with a warning count.
// Training features keep only what a batch needs (ids and targets); evaluation features keep their
// byte offsets for decoding and are built once and cached.
//
// Batches are padded to the longest feature in the batch (deterministic, so resume reproduces the
// losses exactly) and carry start_positions / end_positions.
//
// evaluate() runs the model over every dev window (eval mode, no grad, on the model's device),
// decodes one answer per question (data/squad_decode.h: n_best_size, max_answer_length, and for v2.0
// the null score against null_score_diff_threshold) and scores it with the official EM/F1
// (data/squad_eval.h), as percentages: v1.1 {exact_match, f1}; v2.0 adds exact, total and the
// HasAns_* / NoAns_* subsets. predict("dev") writes predictions.json (id → answer, "" = no answer,
// what `earlybert score --task squad --data_file dev-v1.1.json --predictions` reads),
// nbest_predictions.json and, for v2.0, null_odds.json into `dir`. SQuAD's test sets are hidden, so
// predict("test") is an Error naming 'split'.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "earlybert/data/squad.h"
#include "earlybert/data/squad_decode.h"
#include "earlybert/data/squad_features.h"
#include "earlybert/tasks/task.h"
#include "earlybert/tasks/task_options.h"
#include "earlybert/tokenize/tokenizer.h"

namespace earlybert {

/// features[indices] as a Batch padded to the longest of them with `pad_id` (attention_mask 0 on the
/// padding), with start_positions / end_positions when `with_positions`. Error for an index out of range.
Batch collate_squad(const std::vector<SquadFeature>& features, const std::vector<int64_t>& indices, int32_t pad_id,
                    bool with_positions);

/// The SQuAD file of a split: `explicit_file` when not empty, else `data_dir`/<official name> (train-v1.1.json,
/// dev-v1.1.json, train-v2.0.json, dev-v2.0.json). `split` is "train" or "dev". Error naming the key
/// (train_file / validation_file / data_dir) when neither is given or the file does not exist.
std::string squad_split_file(const std::string& data_dir, const std::string& explicit_file, const std::string& split,
                             bool version_2);

class SquadTask : public Task {
 public:
  /// `args.task` must be squad or squad_v2 (Error naming 'task' otherwise); `tokenizer` is required.
  SquadTask(const TaskOptions& args, std::shared_ptr<const Tokenizer> tokenizer);

  std::string name() const override { return args_.task; }
  ModelKind model_kind() const override { return ModelKind::QuestionAnswering; }
  void configure_model(BertConfig& config) const override;
  int64_t train_size() const override;
  Batch train_batch(const std::vector<int64_t>& indices, uint64_t seed) const override;
  Metrics evaluate(AnyBertModel& model, const EvalContext& context) override;
  std::string best_metric() const override { return "f1"; }
  std::vector<std::string> predict(AnyBertModel& model, const std::string& split, const EvalContext& context,
                                   const std::string& dir) override;
  int64_t tokens_per_feature() const override;

  bool version_2() const { return version_2_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  SquadFeatureOptions feature_options(bool training) const;
  SquadDecodeOptions decode_options() const;

  /// The training split: its questions and windows (read on first use).
  const SquadDataset& train_data() const;
  const std::vector<SquadFeature>& train_features() const;
  /// The evaluation split: its questions and windows (read on first use, then cached).
  const SquadDataset& dev_data() const;
  const std::vector<SquadFeature>& dev_features() const;

  /// Runs the model over the dev windows and decodes one prediction per question (what evaluate() scores
  /// and predict() writes).
  std::vector<SquadPrediction> dev_predictions(AnyBertModel& model, const EvalContext& context) const;

 private:
  struct Split_ {
    SquadDataset data;
    std::vector<SquadFeature> features;
  };
  Split_ load_split(const std::string& split, bool training) const;

  TaskOptions args_;
  bool version_2_ = false;
  std::shared_ptr<const Tokenizer> tokenizer_;
  mutable std::optional<Split_> train_;
  mutable std::optional<Split_> dev_;
};

/// The SQuAD task of `args` (task squad or squad_v2) with the run's tokenizer (task_tokenizer.h);
/// make_task() dispatches here.
std::unique_ptr<Task> make_squad_task(const TaskOptions& args);

}  // namespace earlybert
