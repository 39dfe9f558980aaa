// End to end, the lottery-ticket lab's ticket modes in the trainer (tiny model, synthetic SST-2 and the
// pre-training fixture): imp's rounds, rigl's fixed-size search, greedy selection after k dense
// updates, reinit of another run's ticket; each ends pruned by its ticket, with ticket.json and the
// efficient phase after the draw. No constructed trajectories: the strategies act on real training.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/base/files.h"
#include "earlybert/io/checkpoint.h"
#include "earlybert/prune/ticket.h"
#include "earlybert/train/trainer.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

using test::LoggedRun;
using test::scratch_dir;
using test::tiny_finetune_args;

/// Every update before `draw` is in the search phase (with L1 only when `l1`), every later one efficient.
void expect_phases(const LoggedRun& r, int64_t draw, bool l1) {
  ASSERT_FALSE(r.steps.empty());
  for (const auto& s : r.steps) {
    EXPECT_EQ(s.phase, s.step <= draw ? Phase::Search : Phase::Efficient) << "step " << s.step;
    EXPECT_EQ(s.l1.has_value(), l1 && s.step <= draw) << "step " << s.step;
  }
}

/// The run's final model and ticket.json agree with `heads` / `neurons` kept per layer.
void expect_pruned(const TrainingArguments& args, TicketMode mode, DrawReason reason, const std::vector<int64_t>& heads,
                   const std::vector<int64_t>& neurons) {
  const Ticket t = Ticket::load(args.output_dir + "/ticket.json");
  EXPECT_EQ(t.mode, mode);
  EXPECT_EQ(t.reason, reason);
  EXPECT_EQ(t.kept_heads_per_layer(), heads);
  EXPECT_EQ(t.kept_neurons_per_layer(), neurons);
  const BertConfig c = load_pretrained(args.output_dir);
  for (int64_t l = 0; l < 2; ++l) {
    EXPECT_EQ(c.layer_heads(l), heads[static_cast<size_t>(l)]);
    EXPECT_EQ(c.layer_intermediate_size(l), neurons[static_cast<size_t>(l)]);
  }
}

TEST(TicketLabE2E, ImpPrunesInRoundsRewindsAndTrainsTheTicket) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("lab_imp") + "/out");
  args.ticket_mode = TicketMode::Imp;
  args.imp_rounds = 2;
  args.imp_round_steps = 6;
  args.max_steps = 20;
  const LoggedRun r = test::train_logged(args);
  EXPECT_EQ(r.draw_reason, DrawReason::ImpRounds);
  EXPECT_EQ(r.draw_step, 12);
  EXPECT_LT(r.params_final, r.params_initial);
  EXPECT_TRUE(r.eval_metrics.count("accuracy"));
  expect_phases(r, 12, true);  // ranked by slimming coefficients: the L1 term during the rounds
  // 4 heads, a third pruned per layer -> 3; 2 x 32 neurons, 0.4 pruned globally -> round(64 · 0.6) = 38.
  const Ticket t = Ticket::load(args.output_dir + "/ticket.json");
  EXPECT_EQ(t.kept_heads_per_layer(), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(t.plan.kept_neurons(), 38);
  EXPECT_GT(r.times.search, 0.0);  // the rounds are the ticket's cost, counted as search time
}

TEST(TicketLabE2E, ImpByMagnitudeNeedsNoCoefficients) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("lab_imp_mag") + "/out");
  args.ticket_mode = TicketMode::Imp;
  args.ticket_score = UnitScore::Magnitude;
  args.imp_rounds = 1;
  args.imp_round_steps = 5;
  args.max_steps = 10;
  const LoggedRun r = test::train_logged(args);
  EXPECT_EQ(r.draw_step, 5);
  expect_phases(r, 5, false);
  EXPECT_FALSE(load_pretrained(args.output_dir).slimming);
}

TEST(TicketLabE2E, RiglTrainsAtTheTargetSizeAndDrawsAtTheEnd) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("lab_rigl") + "/out");
  args.ticket_mode = TicketMode::Rigl;
  args.ticket_check_steps = 2;
  args.max_search_steps = 10;
  args.rigl_fraction = 0.5;
  args.inter_pruning_method = PruneScope::Layerwise;
  args.max_steps = 16;
  const LoggedRun r = test::train_logged(args);
  EXPECT_EQ(r.draw_reason, DrawReason::Rigl);
  EXPECT_EQ(r.draw_step, 10);
  expect_phases(r, 10, false);
  // 32 neurons, 0.4 pruned per layer: 32 − (32 − round(19.2)) = 19 kept.
  expect_pruned(args, TicketMode::Rigl, DrawReason::Rigl, {3, 3}, {19, 19});
}

TEST(TicketLabE2E, GreedySelectsAfterKDenseUpdates) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("lab_greedy") + "/out");
  args.ticket_mode = TicketMode::Greedy;
  args.ticket_step = 4;
  args.greedy_group_size = 8;
  args.max_steps = 10;
  const LoggedRun r = test::train_logged(args);
  EXPECT_EQ(r.draw_reason, DrawReason::Greedy);
  EXPECT_EQ(r.draw_step, 4);
  expect_phases(r, 4, false);
  expect_pruned(args, TicketMode::Greedy, DrawReason::Greedy, {3, 3}, {19, 19});
}

TEST(TicketLabE2E, ReinitTrainsAnotherRunsTicketFromFreshWeights) {
  const std::string root = scratch_dir("lab_reinit");
  TrainingArguments search = tiny_finetune_args(root + "/search");
  search.ticket_mode = TicketMode::FixedStep;
  search.ticket_step = 4;
  search.max_steps = 8;
  test::train_logged(search);
  const Ticket drawn = Ticket::load(search.output_dir + "/ticket.json");

  TrainingArguments given = tiny_finetune_args(root + "/given");
  given.ticket = search.output_dir + "/ticket.json";
  given.max_steps = 4;
  TrainingArguments reinit = given;
  reinit.output_dir = root + "/reinit";
  reinit.ticket_mode = TicketMode::Reinit;
  reinit.random_ticket_seed = 17;
  const LoggedRun g = test::train_logged(given);
  const LoggedRun r = test::train_logged(reinit);
  EXPECT_EQ(r.draw_reason, DrawReason::Reinit);
  EXPECT_EQ(r.draw_step, 0);
  EXPECT_EQ(r.params_final, g.params_final);              // the same structure
  EXPECT_NE(r.steps.front().loss, g.steps.front().loss);  // other weights
  const BertConfig c = load_pretrained(reinit.output_dir);
  EXPECT_EQ(c.layer_heads(1), static_cast<int64_t>(drawn.plan.layers[1].kept_heads.size()));

  TrainingArguments no_ticket = tiny_finetune_args(root + "/none");
  no_ticket.ticket_mode = TicketMode::Reinit;
  EXPECT_THROW(test::train_logged(no_ticket), Error);
}

TEST(TicketLabE2E, RiglInPretraining) {
  const std::string root = scratch_dir("lab_pretrain");
  TrainingArguments pre = tiny_finetune_args(root + "/out");
  pre.task = "pretraining";
  pre.data_dir = test::tiny_pretraining_data(root + "/shards");
  pre.ticket_mode = TicketMode::Rigl;
  pre.ticket_check_steps = 2;
  pre.max_search_steps = 6;
  pre.max_steps = 10;
  const LoggedRun r = test::train_logged(pre);
  EXPECT_EQ(r.draw_reason, DrawReason::Rigl);
  EXPECT_EQ(r.draw_step, 6);
  EXPECT_TRUE(r.eval_metrics.count("mlm_accuracy"));
}

TEST(TicketLabE2E, ResumingALabSearchBeforeItsDrawIsAClearError) {
  TrainingArguments args = tiny_finetune_args(scratch_dir("lab_resume") + "/out");
  args.ticket_mode = TicketMode::Greedy;
  args.ticket_step = 8;
  args.max_steps = 12;
  args.save_steps = 4;
  TrainerHooks stop;
  stop.stop_requested = [](int64_t step) { return step == 4; };
  test::train_logged(args, stop);
  args.resume_from_checkpoint = "latest";
  try {
    test::train_logged(args);
    ADD_FAILURE() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot resume before its ticket is drawn"), std::string::npos) << e.what();
  }
  // After the draw a resume continues.
  args.resume_from_checkpoint.clear();
  args.overwrite_output_dir = true;
  stop.stop_requested = [](int64_t step) { return step == 10; };
  test::train_logged(args, stop);
  args.resume_from_checkpoint = "latest";
  const LoggedRun r = test::train_logged(args);
  EXPECT_EQ(r.global_step, 12);
  EXPECT_EQ(r.draw_reason, DrawReason::Greedy);
}

}  // namespace
}  // namespace earlybert
