// Helpers of the trainer tests: the e2e fixtures, a tiny fine-tuning / pre-training setup, and tools to
// impose slimming coefficients.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "earlybert/data/pretraining_prepare.h"
#include "earlybert/model/slimming.h"
#include "earlybert/tokenize/wordpiece.h"
#include "earlybert/train/trainer.h"
#include "earlybert/train/training_args.h"
#include "train/train_test_util.h"

namespace earlybert::test {

inline std::string e2e_fixture(const std::string& name = "") {
  const std::string dir = train_fixture("e2e");
  return name.empty() ? dir : dir + "/" + name;
}

/// Fine-tuning on the synthetic SST-2 fixture with a new tiny model; a few dozen updates run in about a
/// second. One intra-op thread, so that every run computes bit for bit the same. The budget is one
/// schedule over max_steps (efficient_schedule continue) and threshold 0 means identical masks
/// (ticket_min_swaps 0), so that step counts are easy to state; test_efficient_stage.cpp covers the
/// default protocol (restart).
inline TrainingArguments tiny_finetune_args(const std::string& output_dir) {
  TrainingArguments a;
  a.output_dir = output_dir;
  a.task = "sst2";
  a.data_dir = e2e_fixture();
  a.tokenizer_name = e2e_fixture("vocab.txt");
  a.config_name = e2e_fixture("tiny-model.yaml");
  a.device = "cpu";
  a.threads = 1;
  a.seed = 3;
  a.per_device_train_batch_size = 8;
  a.per_device_eval_batch_size = 16;
  a.max_seq_length = 32;
  a.max_steps = 30;
  a.learning_rate = 1e-3;
  a.warmup_steps = 2;
  a.weight_decay = 0.01;
  a.logging_steps = 2;
  a.save_steps = 0;
  a.eval_steps = 0;
  a.ticket_check_steps = 2;
  a.ticket_window = 2;
  a.ticket_threshold = 0.0;
  a.ticket_min_swaps = 0;
  a.max_search_steps = 0;
  a.efficient_schedule = EfficientSchedule::Continue;
  return a;
}

/// Shards of the corpus fixture (MLM + NSP, max_seq_length 32) prepared into `dir`.
inline std::string tiny_pretraining_data(const std::string& dir) {
  PreparePretrainingOptions o;
  o.inputs = {e2e_fixture("corpus.txt")};
  o.output_dir = dir;
  o.instances.max_seq_length = 32;
  o.instances.next_sentence_prediction = true;
  o.dupe_factor = 2;
  o.seed = 5;
  o.masking.max_predictions_per_seq = 5;
  const auto tok = WordPieceTokenizer::from_file(e2e_fixture("vocab.txt"));
  prepare_pretraining(o, tok);
  return dir;
}

/// A training run's result with every update it ran (collected through TrainerHooks::on_update).
struct LoggedRun : TrainResult {
  std::vector<StepRecord> steps;
};

/// Trains `args` (with `hooks`) and logs every update.
inline LoggedRun train_logged(const TrainingArguments& args, TrainerHooks hooks = {}) {
  auto steps = std::make_shared<std::vector<StepRecord>>();
  hooks.on_update = [steps](const StepRecord& r) { steps->push_back(r); };
  Trainer trainer(args, make_task(args), std::move(hooks));
  LoggedRun out;
  static_cast<TrainResult&>(out) = trainer.train();
  out.steps = *steps;
  return out;
}

/// Sets every head and FFN slimming coefficient of `bert` (values per layer).
inline void set_coefficients(const BertModel& bert, const std::vector<std::vector<float>>& heads,
                             const std::vector<std::vector<float>>& ffn) {
  torch::NoGradGuard no_grad;
  auto coefs = slimming_coefficients(bert);
  for (size_t l = 0; l < coefs.size(); ++l) {
    coefs[l].heads.copy_(torch::tensor(heads[l]).to(coefs[l].heads.device()));
    coefs[l].ffn.copy_(torch::tensor(ffn[l]).to(coefs[l].ffn.device()));
  }
}

/// The constructed trajectory of the e2e tests, for 2 layers of 4 heads and 32 neurons: until
/// `stable_from` the ranking rotates with the step (the masks change at every check), from then on it
/// is fixed (the masks stop changing).
inline void constructed_trajectory(const BertModel& bert, int64_t step, int64_t stable_from) {
  const int64_t s = step < stable_from ? step : 1000;
  std::vector<std::vector<float>> heads(2, std::vector<float>(4)), ffn(2, std::vector<float>(32));
  for (int l = 0; l < 2; ++l) {
    for (int h = 0; h < 4; ++h) heads[l][h] = 0.5f + 0.1f * static_cast<float>((h + l + s) % 4);
    for (int n = 0; n < 32; ++n) ffn[l][n] = 0.2f + 0.01f * static_cast<float>((n * 7 + l * 3 + s) % 32);
  }
  set_coefficients(bert, heads, ffn);
}

/// Hooks that impose constructed_trajectory() on the unpruned model after every update.
inline TrainerHooks trajectory_hooks(int64_t stable_from) {
  TrainerHooks h;
  h.after_update = [stable_from](int64_t step, AnyBertModel& model) {
    if (!model.config().is_pruned()) constructed_trajectory(model.bert(), step, stable_from);
  };
  return h;
}

/// Every update of `part` must equal the uninterrupted run's update with the same step, bit for bit.
inline void expect_same_losses(const LoggedRun& full, const LoggedRun& part) {
  ASSERT_FALSE(part.steps.empty());
  for (const auto& s : part.steps) {
    ASSERT_GE(s.step, 1);
    ASSERT_LE(s.step, static_cast<int64_t>(full.steps.size()));
    const StepRecord& f = full.steps[static_cast<size_t>(s.step - 1)];
    ASSERT_EQ(f.step, s.step);
    EXPECT_EQ(f.loss, s.loss) << "step " << s.step;
    EXPECT_EQ(f.l1.has_value(), s.l1.has_value()) << "step " << s.step;
    if (f.l1 && s.l1) {
      EXPECT_EQ(*f.l1, *s.l1) << "step " << s.step;
    }
    EXPECT_EQ(f.grad_norm, s.grad_norm) << "step " << s.step;
    EXPECT_EQ(f.lr, s.lr) << "step " << s.step;
    EXPECT_EQ(f.phase, s.phase) << "step " << s.step;
  }
}

}  // namespace earlybert::test
