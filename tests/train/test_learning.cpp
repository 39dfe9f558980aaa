// Tests that prove learning, not only that files appear: on learnable data a real run lowers its loss and
// ends with a metric clearly above what guessing gets. Classification uses the SST-2 fixture of
// tests/fixtures/train/e2e (labels follow marker tokens); regression and MLM use larger data made here
// with a fixed seed, because the e2e STS-B (24 pairs) and corpus (16 documents) are too small for a
// tiny model to generalise from: STS-B-like pairs scored 0-5 by how many marker tokens they hold, and
// a corpus of runs of consecutive tokens (a masked token follows from its neighbours). Also the pieces of the loop that
// only show in numbers: a real L1 search shrinks the slimming coefficients through the optimizer (no hook sets them)
// and ends in a draw; the best checkpoint is chosen in the metric's own direction (accuracy up, loss down); gradient
// accumulation over k micro-batches makes the same update as one batch k times as large.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "earlybert/base/files.h"
#include "earlybert/data/pretraining_prepare.h"
#include "earlybert/prune/ticket.h"
#include "earlybert/tokenize/wordpiece.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/trainer.h"
#include "earlybert/train/trainer_state.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

using test::LoggedRun;
using test::scratch_dir;
using test::tiny_finetune_args;

/// Mean task loss of the first and of the last `n` updates.
std::pair<double, double> first_and_last_losses(const LoggedRun& r, size_t n) {
  EXPECT_GE(r.steps.size(), 2 * n);
  double first = 0, last = 0;
  for (size_t i = 0; i < n; ++i) {
    first += r.steps[i].loss;
    last += r.steps[r.steps.size() - 1 - i].loss;
  }
  return {first / static_cast<double>(n), last / static_cast<double>(n)};
}

/// The share of the most frequent label in a GLUE-style TSV's last column (what always guessing it scores).
double majority_share(const std::string& tsv) {
  std::map<std::string, int> counts;
  int rows = 0;
  std::ifstream in(tsv);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    ++counts[line.substr(line.rfind('\t') + 1)];
    ++rows;
  }
  int most = 0;
  for (const auto& [label, n] : counts) most = std::max(most, n);
  return rows == 0 ? 1.0 : static_cast<double>(most) / rows;
}

/// A dense run (no search) long enough to learn the fixture.
TrainingArguments learning_args(const std::string& dir, const std::string& task) {
  TrainingArguments a = tiny_finetune_args(dir);
  a.task = task;
  a.ticket_mode = TicketMode::None;
  a.max_steps = 150;
  a.learning_rate = 3e-3;
  a.warmup_steps = 10;
  a.logging_steps = 10;
  return a;
}

TEST(Learning, ClassificationLossFallsAndAccuracyBeatsTheMajorityClass) {
  const TrainingArguments args = learning_args(scratch_dir("learn_sst2"), "sst2");
  const LoggedRun r = test::train_logged(args);
  const auto [first, last] = first_and_last_losses(r, 10);
  EXPECT_LT(last, 0.5 * first) << "first " << first << ", last " << last;
  const double chance = majority_share(test::e2e_fixture("SST-2/dev.tsv"));
  ASSERT_TRUE(r.eval_metrics.count("accuracy"));
  EXPECT_GE(r.eval_metrics.at("accuracy"), std::min(1.0, chance + 0.25)) << "majority class " << chance;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

/// STS-B layout (train.tsv 160 pairs, dev.tsv 40) in `dir`/STS-B: filler sentences of t25..t63 with
/// k marker tokens (t5..t9) spread over the pair, scored k (0-5).
std::string learnable_stsb(const std::string& dir) {
  std::mt19937 rng(11);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::filesystem::create_directories(dir + "/STS-B");
  for (const auto& [split, rows] : {std::pair<std::string, int>{"train", 160}, {"dev", 40}}) {
    std::string text = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n";
    for (int i = 0; i < rows; ++i) {
      const int k = uniform(0, 5);
      std::vector<std::string> s1, s2;
      for (int j = uniform(5, 9); j > 0; --j) s1.push_back("t" + std::to_string(uniform(25, 63)));
      for (int j = uniform(5, 9); j > 0; --j) s2.push_back("t" + std::to_string(uniform(25, 63)));
      for (int m = 0; m < k; ++m) {
        auto& s = uniform(0, 1) == 0 ? s1 : s2;
        s.insert(s.begin() + uniform(0, 5), "t" + std::to_string(uniform(5, 9)));
      }
      text += std::to_string(i) + "\tmain-news\t2012\t2012test\t" + std::to_string(i) + "\tnone\tnone\t" +
              join_words(s1) + "\t" + join_words(s2) + "\t" + std::to_string(k) + ".000\n";
    }
    write_file_atomic(dir + "/STS-B/" + split + ".tsv", text);
  }
  return dir;
}

/// Pre-training shards (MLM + NSP, max_seq_length 32) of 300 documents of 6 runs of 4-8 consecutive
/// tokens each (t17 t18 t19 ...).
std::string learnable_pretraining_data(const std::string& dir) {
  std::mt19937 rng(7);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::string corpus;
  for (int d = 0; d < 300; ++d) {
    for (int line = 0; line < 6; ++line) {
      const int length = uniform(4, 8), start = uniform(5, 64 - length);
      std::vector<std::string> run;
      for (int i = 0; i < length; ++i) run.push_back("t" + std::to_string(start + i));
      corpus += join_words(run) + "\n";
    }
    corpus += "\n";
  }
  write_file_atomic(dir + "/corpus.txt", corpus);
  PreparePretrainingOptions o;
  o.inputs = {dir + "/corpus.txt"};
  o.output_dir = dir + "/shards";
  o.instances.max_seq_length = 32;
  o.instances.next_sentence_prediction = true;
  o.dupe_factor = 2;
  o.seed = 5;
  o.masking.max_predictions_per_seq = 5;
  prepare_pretraining(o, WordPieceTokenizer::from_file(test::e2e_fixture("vocab.txt")));
  return o.output_dir;
}

TEST(Learning, RegressionLossFallsAndPearsonIsClearlyPositive) {
  const std::string root = scratch_dir("learn_stsb");
  TrainingArguments args = learning_args(root + "/out", "stsb");
  args.data_dir = learnable_stsb(root + "/data");
  args.per_device_train_batch_size = 16;
  args.max_steps = 300;
  const LoggedRun r = test::train_logged(args);
  const auto [first, last] = first_and_last_losses(r, 10);
  EXPECT_LT(last, 0.2 * first) << "first " << first << ", last " << last;
  // Guessing (or a constant) correlates 0 with the gold scores; measured here: about 0.98.
  ASSERT_TRUE(r.eval_metrics.count("pearson"));
  EXPECT_GT(r.eval_metrics.at("pearson"), 0.8);
}

TEST(Learning, MaskedLmLossFallsAndPredictsFarAboveChance) {
  const std::string root = scratch_dir("learn_mlm");
  TrainingArguments args = learning_args(root + "/out", "pretraining");
  args.data_dir = learnable_pretraining_data(root);
  args.per_device_train_batch_size = 16;
  args.learning_rate = 1e-2;
  args.warmup_steps = 20;
  args.max_steps = 1000;
  const LoggedRun r = test::train_logged(args);
  const auto [first, last] = first_and_last_losses(r, 20);
  EXPECT_LT(last, 0.9 * first) << "first " << first << ", last " << last;
  // Chance: one token of the vocabulary's 64 (1.6%); measured here: about 23%.
  ASSERT_TRUE(r.eval_metrics.count("mlm_accuracy"));
  EXPECT_GT(r.eval_metrics.at("mlm_accuracy"), 0.12);
}

/// Mean |c| of the heads' coefficients in the draw's snapshot of `ticket`.
double mean_head_coefficient(const Ticket& ticket) {
  if (ticket.coefficient_snapshots.empty()) {
    ADD_FAILURE() << "the ticket has no coefficient snapshot";
    return 0;
  }
  double sum = 0;
  size_t n = 0;
  for (const auto& layer : ticket.coefficient_snapshots.back().heads)
    for (const float c : layer) sum += std::abs(c), ++n;
  return n == 0 ? 0 : sum / static_cast<double>(n);
}

TEST(Learning, L1SearchShrinksTheCoefficientsAndDraws) {
  // A real search: the coefficients move only through the optimizer (no hook). Weight decay off, so
  // that only the L1 term pulls them to 0; the same run without it is the control.
  TrainingArguments args = tiny_finetune_args(scratch_dir("learn_l1"));
  args.weight_decay = 0.0;
  args.learning_rate = 3e-3;
  args.l1_loss_self_coef = 1e-2;
  args.l1_loss_inter_coef = 1e-3;
  args.ticket_mode = TicketMode::EarlyBird;
  args.ticket_check_steps = 5;
  args.ticket_window = 3;
  args.ticket_threshold = 0.1;
  args.max_search_steps = 400;
  args.max_steps = 420;
  const LoggedRun r = test::train_logged(args);
  EXPECT_EQ(r.draw_reason, DrawReason::EarlyBird);
  ASSERT_GT(r.draw_step, 0);
  EXPECT_LT(r.draw_step, args.max_search_steps);
  // The L1 term the loop reports falls as the coefficients shrink.
  ASSERT_TRUE(r.steps.front().l1 && r.steps[static_cast<size_t>(r.draw_step - 1)].l1);
  EXPECT_LT(*r.steps[static_cast<size_t>(r.draw_step - 1)].l1, 0.9 * *r.steps.front().l1);
  const Ticket with_l1 = Ticket::load(args.output_dir + "/ticket.json");

  TrainingArguments control = args;
  control.output_dir = scratch_dir("learn_l1_control");
  control.l1_loss_self_coef = 0.0;
  control.l1_loss_inter_coef = 0.0;
  control.ticket_mode = TicketMode::FixedStep;
  control.ticket_step = r.draw_step;  // drawn at the same step, to compare the same moment
  test::train_logged(control);
  const Ticket without_l1 = Ticket::load(control.output_dir + "/ticket.json");
  // Every coefficient starts at 1.
  EXPECT_LT(mean_head_coefficient(with_l1), 0.9);
  EXPECT_LT(mean_head_coefficient(with_l1), mean_head_coefficient(without_l1) - 0.05);
}

/// The eval_<metric> values of a run's metrics.jsonl by step.
std::vector<std::pair<int64_t, double>> eval_values(const std::string& output_dir, const std::string& metric) {
  std::vector<std::pair<int64_t, double>> out;
  for (const auto& r : read_metrics_jsonl(output_dir + "/metrics.jsonl")) {
    if (r.phase != Phase::Eval) continue;
    for (const auto& [k, v] : r.extra)
      if (k == "eval_" + metric) out.push_back({r.step, v});
  }
  return out;
}

/// Trains with metric_for_best_model `metric` and checks that trainer_state.json names the checkpoint
/// of the first evaluation with the best value in the metric's direction, and that rotation kept it.
void expect_best_checkpoint(const std::string& name, const std::string& metric, bool higher_is_better) {
  TrainingArguments args = tiny_finetune_args(scratch_dir(name));
  args.ticket_mode = TicketMode::None;
  args.learning_rate = 3e-3;
  args.max_steps = 80;  // the accuracy starts to move after about 40 updates (ClassificationLoss... above)
  args.eval_steps = 10;
  args.save_steps = 10;
  args.save_total_limit = 1;
  args.metric_for_best_model = metric;
  test::train_logged(args);
  const auto values = eval_values(args.output_dir, metric);
  ASSERT_GE(values.size(), 8u);
  size_t best = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    const bool better =
        higher_is_better ? values[i].second > values[best].second : values[i].second < values[best].second;
    if (better) best = i;
  }
  // The choice must matter: the best value is not where the opposite direction would put it.
  size_t worst = 0;
  for (size_t i = 1; i < values.size(); ++i) {
    const bool worse =
        higher_is_better ? values[i].second < values[worst].second : values[i].second > values[worst].second;
    if (worse) worst = i;
  }
  ASSERT_NE(values[best].second, values[worst].second) << metric << " never changed";
  const TrainerState st = TrainerState::load(args.output_dir + "/trainer_state.json");
  const std::string best_name = "checkpoint-" + std::to_string(values[best].first);
  const std::string best_dir = args.output_dir + "/" + best_name;
  EXPECT_EQ(std::filesystem::path(st.best_model_checkpoint).filename().string(), best_name)
      << metric << ": " << st.best_model_checkpoint;
  ASSERT_TRUE(st.best_metric.has_value());
  EXPECT_DOUBLE_EQ(*st.best_metric, values[best].second);
  EXPECT_TRUE(path_exists(best_dir + "/COMPLETE"));
}

TEST(Learning, BestCheckpointHigherIsBetterForAccuracy) { expect_best_checkpoint("learn_best_acc", "accuracy", true); }

TEST(Learning, BestCheckpointLowerIsBetterForLoss) { expect_best_checkpoint("learn_best_loss", "loss", false); }

/// The model's parameters after training `args`.
std::map<std::string, torch::Tensor> trained_parameters(const TrainingArguments& args) {
  Trainer trainer(args, make_task(args));
  trainer.train();
  std::map<std::string, torch::Tensor> out;
  for (const auto& p : trainer.model().module()->named_parameters()) out[p.key()] = p.value().detach().clone();
  return out;
}

TEST(Learning, GradientAccumulationMakesTheUpdateOfTheEqualLargeBatch) {
  // No dropout (a micro-batch draws other dropout masks than the large batch), no search: two updates
  // of 16 examples, once as one batch of 16 and once as 2 micro-batches of 8 (the same examples: the
  // data order does not depend on the batch size).
  const std::string root = scratch_dir("learn_accum");
  std::string yaml = read_file(test::e2e_fixture("tiny-model.yaml"));
  for (const std::string key : {"hidden_dropout_prob: 0.1", "attention_probs_dropout_prob: 0.1"}) {
    const size_t at = yaml.find(key);
    ASSERT_NE(at, std::string::npos) << key;
    yaml.replace(at, key.size(), key.substr(0, key.find(':')) + ": 0.0");
  }
  write_file_atomic(root + "/model.yaml", yaml);
  TrainingArguments large = tiny_finetune_args(root + "/large");
  large.config_name = root + "/model.yaml";
  large.ticket_mode = TicketMode::None;
  large.max_steps = 2;
  large.per_device_train_batch_size = 16;
  large.gradient_accumulation_steps = 1;
  TrainingArguments accumulated = large;
  accumulated.output_dir = root + "/accumulated";
  accumulated.per_device_train_batch_size = 8;
  accumulated.gradient_accumulation_steps = 2;
  TrainingArguments other_data = large;  // the control: a different batch gives a different update
  other_data.output_dir = root + "/other";
  other_data.per_device_train_batch_size = 8;

  const auto a = trained_parameters(large);
  const auto b = trained_parameters(accumulated);
  const auto c = trained_parameters(other_data);
  ASSERT_EQ(a.size(), b.size());
  double max_diff = 0, control_diff = 0;
  for (const auto& [name, t] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    max_diff = std::max(max_diff, (t - b.at(name)).abs().max().item<double>());
    control_diff = std::max(control_diff, (t - c.at(name)).abs().max().item<double>());
  }
  EXPECT_LE(max_diff, 1e-6);
  EXPECT_GT(control_diff, 1e-4);  // the comparison can tell updates apart
}

}  // namespace
}  // namespace earlybert
