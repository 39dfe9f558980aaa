// Trainer: the loop's arithmetic (L1 term, learning rates, accumulation, budget), the draw modes, and
// errors that name the key.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/base/files.h"
#include "earlybert/io/checkpoint.h"
#include "earlybert/prune/ticket.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/model_presets.h"
#include "earlybert/train/trainer.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

using test::expect_error;
using test::LoggedRun;
using test::scratch_dir;
using test::tiny_finetune_args;

LoggedRun run(const TrainingArguments& args, TrainerHooks hooks = {}) {
  return test::train_logged(args, std::move(hooks));
}

TEST(Trainer, ResolveDeviceAndEpochSeed) {
  EXPECT_EQ(resolve_device("cpu"), torch::Device(torch::kCPU));
  EXPECT_EQ(resolve_device("auto").is_cuda(), torch::cuda::is_available());
  expect_error([] { resolve_device("tpu"); }, {"device", "tpu"});
  expect_error([] { resolve_device("cuda:x"); }, {"device"});
  if (!torch::cuda::is_available()) expect_error([] { resolve_device("cuda"); }, {"device", "CUDA"});
  EXPECT_EQ(epoch_seed(1, 0), epoch_seed(1, 0));
  EXPECT_NE(epoch_seed(1, 0), epoch_seed(1, 1));
  EXPECT_NE(epoch_seed(1, 0), epoch_seed(2, 0));
}

TEST(Trainer, SearchAddsTheL1TermOfTheCoefficients) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("tr_l1"));
  args.max_steps = 1;
  args.l1_loss_self_coef = 0.01;
  args.l1_loss_inter_coef = 0.001;
  const LoggedRun r = run(args);
  ASSERT_EQ(r.steps.size(), 1u);
  ASSERT_TRUE(r.steps[0].l1);
  // All coefficients start at 1: 0.01 * 8 heads + 0.001 * 64 neurons.
  EXPECT_NEAR(*r.steps[0].l1, 0.01 * 8 + 0.001 * 64, 1e-6);
}

TEST(Trainer, SearchLearningRateUntilTheDrawThenTheSchedulesOwn) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("tr_lr"));
  args.lr_scheduler_type = LrScheduleType::Constant;
  args.warmup_steps = 0;
  args.learning_rate = 4e-3;
  args.search_learning_rate = 2e-3;
  args.ticket_mode = TicketMode::FixedStep;
  args.ticket_step = 3;
  args.max_steps = 6;
  const LoggedRun r = run(args);
  EXPECT_EQ(r.draw_step, 3);
  EXPECT_EQ(r.draw_reason, DrawReason::FixedStep);
  for (const auto& s : r.steps) EXPECT_DOUBLE_EQ(s.lr, s.step <= 3 ? 2e-3 : 4e-3) << s.step;
}

TEST(Trainer, BudgetFromEpochsAndAccumulation) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("tr_epochs"));
  args.max_steps = -1;
  args.num_train_epochs = 1.5;
  args.per_device_train_batch_size = 10;  // 64 examples: 7 batches per epoch
  args.gradient_accumulation_steps = 2;   // 3 updates per epoch (floor, as Hugging Face)
  args.ticket_mode = TicketMode::None;
  const LoggedRun r = run(args);
  EXPECT_EQ(r.max_steps, 5);  // ceil(1.5 * 3)
  EXPECT_EQ(r.global_step, 5);
  EXPECT_EQ(r.phase, Phase::Dense);
  for (const auto& s : r.steps) EXPECT_FALSE(s.l1.has_value());
}

TEST(Trainer, DenseBaselineHasNoCoefficients) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("tr_dense"));
  args.ticket_mode = TicketMode::None;
  args.max_steps = 3;
  Trainer trainer(args, make_task(args));
  const TrainResult r = trainer.train();
  EXPECT_EQ(r.draw_step, -1);
  for (const auto& p : trainer.model().module()->named_parameters())
    EXPECT_EQ(p.key().find("slimming_coef"), std::string::npos) << p.key();
  EXPECT_FALSE(path_exists(args.output_dir + "/ticket.json"));
  EXPECT_EQ(r.params_final, r.params_initial);
}

TEST(Trainer, RandomTicketIsDrawnBeforeTheFirstUpdate) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("tr_random"));
  args.ticket_mode = TicketMode::Random;
  args.random_ticket_seed = 9;
  args.max_steps = 3;
  std::vector<StepRecord> steps;
  TrainerHooks hooks;
  hooks.on_update = [&](const StepRecord& s) { steps.push_back(s); };
  Trainer trainer(args, make_task(args), hooks);
  const TrainResult r = trainer.train();
  EXPECT_EQ(r.draw_step, 0);
  EXPECT_EQ(r.draw_reason, DrawReason::Random);
  ASSERT_EQ(steps.size(), 3u);
  for (const auto& s : steps) EXPECT_EQ(s.phase, Phase::Efficient);
  const Ticket t = Ticket::load(args.output_dir + "/ticket.json");
  // the plan random_ticket_plan() gives for the unpruned model
  const BertConfig unpruned = load_model_config(test::e2e_fixture("tiny-model.yaml"));
  EXPECT_EQ(t.plan, random_ticket_plan(unpruned, ticket_options(args).ratios, 9));
  EXPECT_EQ(trainer.model().config().layer_heads(0), 3);
}

TEST(Trainer, SearchBoundDrawsAnywayAndSaysSo) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("tr_bound"));
  args.max_steps = 10;
  args.max_search_steps = 5;
  TrainerHooks h;
  h.after_update = [](int64_t step, AnyBertModel& m) {
    if (!m.config().is_pruned()) test::constructed_trajectory(m.bert(), step, 1000);  // never stabilises
  };
  const LoggedRun r = run(args, h);
  EXPECT_EQ(r.draw_step, 5);
  EXPECT_EQ(r.draw_reason, DrawReason::SearchBound);
  const Ticket t = Ticket::load(args.output_dir + "/ticket.json");
  EXPECT_EQ(t.reason, DrawReason::SearchBound);
  EXPECT_EQ(t.max_search_steps, 5);
  EXPECT_EQ(t.distance_history.size(), 2u);           // checks at 2 and 4
  EXPECT_EQ(t.coefficient_snapshots.back().step, 5);  // the draw's own snapshot, with the FFN scores
  EXPECT_FALSE(t.coefficient_snapshots.back().ffn.empty());
}

TEST(Trainer, RewindNoneKeepsTheSearchedWeights) {
  // Same run twice, drawn at the same step: rewind initial and none differ in the first efficient update.
  TrainingArguments a = tiny_finetune_args(scratch_dir("tr_rewind_a"));
  a.ticket_mode = TicketMode::FixedStep;
  a.ticket_step = 4;
  a.max_steps = 5;
  TrainingArguments b = a;
  b.output_dir = scratch_dir("tr_rewind_b");
  b.rewind = RewindMode::None;
  const LoggedRun ra = run(a);
  const LoggedRun rb = run(b);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(ra.steps[static_cast<size_t>(i)].loss, rb.steps[static_cast<size_t>(i)].loss);
  EXPECT_NE(ra.steps[4].loss, rb.steps[4].loss);
}

TEST(Trainer, GradientAccumulationSeesEveryMicroBatch) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("tr_accum"));
  args.max_steps = 2;
  args.gradient_accumulation_steps = 3;
  args.logging_steps = 1;
  const LoggedRun r = run(args);
  const auto records = read_metrics_jsonl(args.output_dir + "/metrics.jsonl");
  ASSERT_GE(records.size(), 2u);
  // tokens per update: 3 micro-batches of 8 padded sequences; at least 3 * 8 * 3 positions
  EXPECT_GT(*records[0].tokens_per_s, 0.0);
  EXPECT_EQ(r.global_step, 2);
}

TEST(Trainer, RotationKeepsTheBestCheckpoint) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("tr_best_ckpt"));
  args.max_steps = 12;
  args.eval_steps = 3;
  args.save_steps = 3;
  args.save_total_limit = 1;
  args.metric_for_best_model = "loss";
  args.ticket_mode = TicketMode::None;
  run(args);
  const auto records = read_metrics_jsonl(args.output_dir + "/metrics.jsonl");
  double best = 1e30;
  int64_t best_step = -1;
  for (const auto& r : records) {
    if (r.phase != Phase::Eval) continue;
    for (const auto& [k, v] : r.extra)
      if (k == "eval_loss" && v < best) {
        best = v;
        best_step = r.step;
      }
  }
  ASSERT_GT(best_step, 0);
  const std::string state = read_file(args.output_dir + "/trainer_state.json");
  const std::string best_dir = args.output_dir + "/checkpoint-" + std::to_string(best_step);
  EXPECT_NE(state.find(best_dir), std::string::npos) << state.substr(0, 400);
  EXPECT_TRUE(path_exists(best_dir + "/COMPLETE"));                       // rotation never deletes the best one
  EXPECT_TRUE(path_exists(args.output_dir + "/checkpoint-12/COMPLETE"));  // nor the newest
  int complete = 0;
  for (int64_t s = 3; s <= 12; s += 3) complete += path_exists(args.output_dir + "/checkpoint-" + std::to_string(s));
  EXPECT_EQ(complete, best_step == 12 ? 1 : 2);
}

TEST(Trainer, LambTrainsAndResumesExactly) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("tr_lamb_full"));
  args.optim = OptimizerKind::Lamb;
  args.max_steps = 8;
  args.ticket_mode = TicketMode::FixedStep;
  args.ticket_step = 4;
  const LoggedRun full = run(args);
  ASSERT_EQ(full.steps.size(), 8u);
  TrainingArguments part = args;
  part.output_dir = scratch_dir("tr_lamb_part");
  TrainerHooks stop;
  stop.stop_requested = [](int64_t step) { return step == 6; };
  EXPECT_TRUE(run(part, stop).stopped);
  part.resume_from_checkpoint = "latest";
  const LoggedRun rest = run(part);
  ASSERT_EQ(rest.steps.size(), 2u);
  for (const auto& s : rest.steps) {
    EXPECT_EQ(s.loss, full.steps[static_cast<size_t>(s.step - 1)].loss) << s.step;
    EXPECT_EQ(s.grad_norm, full.steps[static_cast<size_t>(s.step - 1)].grad_norm) << s.step;
  }
}

TEST(Trainer, ErrorsNameTheKey) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("tr_errors"));
  args.max_steps = 2;
  run(args);
  // a second run into the same directory
  expect_error([&] { run(args); }, {"output_dir", "resume_from_checkpoint", "overwrite_output_dir"});
  TrainingArguments over = args;
  over.overwrite_output_dir = true;
  EXPECT_EQ(run(over).global_step, 2);

  TrainingArguments fp16 = tiny_finetune_args(scratch_dir("tr_fp16"));
  fp16.fp16 = true;
  if (!torch::cuda::is_available()) expect_error([&] { run(fp16); }, {"fp16", "CUDA"});
  TrainingArguments no_model = tiny_finetune_args(scratch_dir("tr_nomodel"));
  no_model.config_name.clear();
  expect_error([&] { run(no_model); }, {"model_name_or_path"});
  TrainingArguments bad_dir = tiny_finetune_args(scratch_dir("tr_baddir"));
  bad_dir.model_name_or_path = "/nonexistent/model";
  bad_dir.tokenizer_name = test::e2e_fixture("vocab.txt");
  expect_error([&] { run(bad_dir); }, {"model_name_or_path", "/nonexistent/model"});
  TrainingArguments resume = tiny_finetune_args(scratch_dir("tr_resume_none"));
  resume.resume_from_checkpoint = "latest";
  expect_error([&] { run(resume); }, {"resume_from_checkpoint"});
  TrainingArguments ticket = tiny_finetune_args(scratch_dir("tr_ticket_missing"));
  ticket.ticket = "/nonexistent/ticket.json";
  expect_error([&] { run(ticket); }, {"/nonexistent/ticket.json"});
  TrainingArguments best = tiny_finetune_args(scratch_dir("tr_best"));
  best.max_steps = 1;
  best.metric_for_best_model = "bleu";
  expect_error([&] { run(best); }, {"metric_for_best_model", "bleu"});
  TrainingArguments eval_only = tiny_finetune_args(scratch_dir("tr_evalonly"));
  Trainer t(eval_only, make_task(eval_only));
  expect_error([&] { t.evaluate(); }, {"model_name_or_path"});
  expect_error([&] { t.model(); }, {"no model"});
}

}  // namespace
}  // namespace earlybert

namespace earlybert {
namespace {

// The whole loop on the GPU: search with coefficients, a forced draw, physical pruning of CUDA
// tensors, efficient training, evaluation and a checkpoint that loads back on the CPU.
TEST(Trainer, SearchDrawPruneTrainOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  TrainingArguments args = tiny_finetune_args(scratch_dir("tr_cuda"));
  args.device = "cuda";
  args.max_steps = 10;
  args.max_search_steps = 5;
  TrainerHooks h;
  h.after_update = [](int64_t step, AnyBertModel& m) {
    if (!m.config().is_pruned()) test::constructed_trajectory(m.bert(), step, 1000);
  };
  std::vector<StepRecord> steps;
  h.on_update = [&](const StepRecord& s) { steps.push_back(s); };
  Trainer trainer(args, make_task(args), h);
  const TrainResult r = trainer.train();
  EXPECT_EQ(r.draw_step, 5);
  ASSERT_EQ(steps.size(), 10u);
  for (const auto& s : steps) EXPECT_TRUE(std::isfinite(s.loss)) << "step " << s.step;
  EXPECT_LT(r.params_final, r.params_initial);
  for (const auto& p : trainer.model().module()->parameters()) EXPECT_TRUE(p.is_cuda());
  EXPECT_FALSE(r.eval_metrics.empty());
  ASSERT_FALSE(r.last_checkpoint.empty());
  const BertConfig saved = load_pretrained(r.last_checkpoint);  // pruned shapes come back from config.json
  EXPECT_EQ(saved.layer_heads(0), trainer.model().config().layer_heads(0));
  EXPECT_EQ(saved.layer_intermediate_size(1), trainer.model().config().layer_intermediate_size(1));
}

}  // namespace
}  // namespace earlybert
