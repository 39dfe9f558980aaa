// The official protocol around the draw (train/run_budget.h): after the draw the efficient stage is a
// run of its own — its own number of updates, a fresh schedule warming up from zero, the data from the
// start — and the random ticket trains exactly that stage; resuming inside it is bit-exact; a model
// that is already pruned trains without a second search unless asked.
#include <gtest/gtest.h>

#include "earlybert/io/checkpoint.h"
#include "earlybert/prune/ticket.h"
#include "earlybert/train/trainer.h"
#include "earlybert/train/trainer_state.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

using test::expect_same_losses;
using test::LoggedRun;
using test::scratch_dir;
using test::tiny_finetune_args;
using test::train_logged;
using test::trajectory_hooks;

constexpr int64_t kStableFrom = 12;
constexpr int64_t kDraw = 16;  // see test_trainer_e2e.cpp: checks every 2, window 2, identical masks
constexpr int64_t kEfficient = 14;

TrainingArguments restart_args(const std::string& dir) {
  TrainingArguments a = tiny_finetune_args(dir);
  a.efficient_schedule = EfficientSchedule::Restart;
  a.max_steps = 30;  // the search's schedule (the official search run: 3 epochs, cut by the draw)
  a.search_learning_rate = 5e-4;
  a.efficient_max_steps = kEfficient;
  a.efficient_learning_rate = 2e-3;
  a.efficient_warmup_steps = 4;
  return a;
}

std::vector<double> efficient_lrs(const LoggedRun& r) {
  std::vector<double> out;
  for (const auto& s : r.steps)
    if (s.phase == Phase::Efficient) out.push_back(s.lr);
  return out;
}

TEST(EfficientStage, OwnBudgetAndFreshScheduleAfterTheDraw) {
  const std::string root = scratch_dir("efficient_stage");
  const TrainingArguments args = restart_args(root + "/earlybert");
  const LoggedRun r = train_logged(args, trajectory_hooks(kStableFrom));
  ASSERT_EQ(r.draw_step, kDraw);
  EXPECT_EQ(r.draw_reason, DrawReason::EarlyBird);
  // The run ends after the efficient stage's own budget, not at max_steps.
  EXPECT_EQ(r.global_step, kDraw + kEfficient);
  EXPECT_EQ(r.max_steps, kDraw + kEfficient);
  ASSERT_EQ(r.steps.size(), static_cast<size_t>(kDraw + kEfficient));
  // The search: the main schedule (warm-up 2, linear decay over 30) at the search rate.
  EXPECT_DOUBLE_EQ(r.steps[9].lr, 5e-4 * (30.0 - 9) / (30 - 2));
  // The efficient stage warms up from zero at its own rate and decays to zero over its own 14 updates.
  const std::vector<double> lr = efficient_lrs(r);
  ASSERT_EQ(lr.size(), static_cast<size_t>(kEfficient));
  EXPECT_EQ(lr[0], 0.0);
  EXPECT_DOUBLE_EQ(lr[1], 2e-3 * 1 / 4);
  EXPECT_DOUBLE_EQ(lr[4], 2e-3);
  EXPECT_DOUBLE_EQ(lr[13], 2e-3 * 1 / 10);
  for (const auto& s : r.steps) EXPECT_EQ(s.phase, s.step <= kDraw ? Phase::Search : Phase::Efficient) << s.step;
  // The data restarts with the stage: 14 batches of 8 from the 64 examples' start (8 batches an epoch)
  // leave the stream in epoch 1 at batch 6 (the 30 batches of the whole run would be epoch 3).
  const TrainerState st = TrainerState::load(args.output_dir + "/trainer_state.json");
  EXPECT_EQ(st.data_position.epoch, 1);
  EXPECT_EQ(st.data_position.batch_in_epoch, 6);
  EXPECT_EQ(st.max_steps, kDraw + kEfficient);
}

TEST(EfficientStage, RandomTicketTrainsExactlyTheEfficientStage) {
  const std::string root = scratch_dir("efficient_random");
  const LoggedRun eb = train_logged(restart_args(root + "/earlybert"), trajectory_hooks(kStableFrom));
  TrainingArguments ra = restart_args(root + "/random");
  ra.ticket_mode = TicketMode::Random;
  const LoggedRun rnd = train_logged(ra);
  EXPECT_EQ(rnd.draw_step, 0);
  EXPECT_EQ(rnd.draw_reason, DrawReason::Random);
  EXPECT_EQ(rnd.global_step, kEfficient);
  // Same number of updates, same learning rate at every update of the stage, same size.
  EXPECT_EQ(efficient_lrs(rnd), efficient_lrs(eb));
  const Ticket t = Ticket::load(ra.output_dir + "/ticket.json");
  const Ticket e = Ticket::load(root + "/earlybert/ticket.json");
  EXPECT_EQ(t.kept_heads_per_layer(), e.kept_heads_per_layer());
  EXPECT_EQ(t.plan.kept_neurons(), e.plan.kept_neurons());
}

TEST(EfficientStage, ResumeInsideTheStageIsBitExact) {
  const std::string root = scratch_dir("efficient_resume");
  const LoggedRun full = train_logged(restart_args(root + "/full"), trajectory_hooks(kStableFrom));
  TrainingArguments part = restart_args(root + "/part");
  TrainerHooks stop = trajectory_hooks(kStableFrom);
  stop.stop_requested = [](int64_t step) { return step == kDraw + 5; };
  const LoggedRun a = train_logged(part, stop);
  ASSERT_TRUE(a.stopped);
  EXPECT_EQ(a.global_step, kDraw + 5);
  part.resume_from_checkpoint = "latest";
  const LoggedRun b = train_logged(part, trajectory_hooks(kStableFrom));
  EXPECT_EQ(b.steps.front().step, kDraw + 6);
  EXPECT_EQ(b.global_step, kDraw + kEfficient);
  expect_same_losses(full, a);
  expect_same_losses(full, b);
  EXPECT_EQ(b.eval_metrics, full.eval_metrics);
}

TEST(EfficientStage, ContinueKeepsTheBudgetAndReWarmsUp) {
  const std::string root = scratch_dir("efficient_continue");
  TrainingArguments args = restart_args(root + "/continue");
  args.efficient_schedule = EfficientSchedule::Continue;
  const LoggedRun r = train_logged(args, trajectory_hooks(kStableFrom));
  ASSERT_EQ(r.draw_step, kDraw);
  EXPECT_EQ(r.global_step, 30);
  const std::vector<double> lr = efficient_lrs(r);
  ASSERT_EQ(lr.size(), 14u);
  // Update kDraw + 1 + k uses lr(kDraw + k) of the main schedule at 2e-3, times k / 4 during the ramp.
  for (int64_t k = 0; k < 14; ++k) {
    const double main = 2e-3 * (30.0 - static_cast<double>(kDraw + k)) / 28;
    EXPECT_DOUBLE_EQ(lr[static_cast<size_t>(k)], main * std::min(1.0, static_cast<double>(k) / 4)) << k;
  }
}

TEST(EfficientStage, PrunedModelTrainsWithoutASecondSearch) {
  const std::string root = scratch_dir("efficient_pruned");
  const TrainingArguments first = restart_args(root + "/first");
  const LoggedRun drawn = train_logged(first, trajectory_hooks(kStableFrom));
  ASSERT_EQ(drawn.draw_step, kDraw);
  const BertConfig pruned = load_pretrained(first.output_dir);
  ASSERT_TRUE(pruned.is_pruned());

  // A task config that searches (ticket_mode early_bird), on the pruned model: no search, no L1, the
  // shapes stay those of the first ticket.
  TrainingArguments again = restart_args(root + "/again");
  again.config_name.clear();
  again.model_name_or_path = first.output_dir;
  const LoggedRun r = train_logged(again);
  EXPECT_EQ(r.draw_reason, DrawReason::PrunedModel);
  EXPECT_EQ(r.draw_step, 0);
  EXPECT_EQ(r.global_step, kEfficient);  // the efficient stage's budget
  for (const auto& s : r.steps) {
    EXPECT_EQ(s.phase, Phase::Efficient);
    EXPECT_FALSE(s.l1.has_value());
  }
  const BertConfig after = load_pretrained(again.output_dir);
  for (int64_t l = 0; l < 2; ++l) {
    EXPECT_EQ(after.layer_heads(l), pruned.layer_heads(l));
    EXPECT_EQ(after.layer_intermediate_size(l), pruned.layer_intermediate_size(l));
  }

  // Asked for explicitly, it searches and prunes again.
  TrainingArguments twice = again;
  twice.output_dir = root + "/twice";
  twice.search_pruned_model = true;
  twice.ticket_mode = TicketMode::FixedStep;
  twice.ticket_step = 4;
  const LoggedRun s = train_logged(twice);
  EXPECT_EQ(s.draw_reason, DrawReason::FixedStep);
  EXPECT_TRUE(s.steps.front().l1.has_value());
  EXPECT_LT(load_pretrained(twice.output_dir).layer_heads(0), pruned.layer_heads(0));
}

}  // namespace
}  // namespace earlybert
