// The ticket strategies behind one interface, driven as a loop drives them (start, after_update after
// every "update", here a random perturbation of the weights): the EarlyBirdSearch adapter, IMP with
// exact rewinding, RigL's fixed unit count, greedy selection's target sizes.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/model/slimming.h"
#include "earlybert/prune/imp.h"
#include "earlybert/prune/ticket_strategy.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

using test::expect_error;

AnyBertModel tiny_model(uint64_t seed = 3) {
  torch::manual_seed(seed);
  return AnyBertModel::create(ModelKind::SequenceClassification, test::tiny_config());
}

StrategyContext probe_context() {
  const Batch batch = test::tiny_batch_for(ModelKind::SequenceClassification, test::tiny_config(), 4, 7, 9);
  return StrategyContext{[batch](AnyBertModel& m) { return m.loss(batch); }};
}

// One "update": every parameter moves (the coefficients too, as an optimizer would move them).
void perturb(AnyBertModel& m, double scale = 0.1) {
  torch::NoGradGuard ng;
  for (auto& p : m.module()->parameters()) p.add_(torch::randn_like(p) * scale);
}

TicketOptions options(TicketMode mode) {
  TicketOptions o;
  o.mode = mode;
  o.check_steps = 2;
  o.max_search_steps = 0;
  return o;
}

TEST(TicketStrategy, FactoryMakesEveryStrategyModeAndRefusesTheOthers) {
  for (TicketMode m : {TicketMode::EarlyBird, TicketMode::FixedStep, TicketMode::FixedFraction, TicketMode::Random,
                       TicketMode::Imp, TicketMode::Rigl, TicketMode::Greedy}) {
    TicketOptions o = options(m);
    o.fixed_step = 3;
    o.max_search_steps = 6;
    EXPECT_EQ(make_ticket_strategy(o, 10)->mode(), m) << to_string(m);
    EXPECT_EQ(is_lab_strategy(m), m == TicketMode::Imp || m == TicketMode::Rigl || m == TicketMode::Greedy);
  }
  expect_error([] { make_ticket_strategy(options(TicketMode::None), 10); }, {"ticket_mode", "'none'"});
  expect_error([] { make_ticket_strategy(options(TicketMode::Reinit), 10); }, {"ticket_mode", "'reinit'"});
}

TEST(TicketStrategy, EarlyBirdAdapterDrawsAndPrunesLikeTheSearch) {
  TicketOptions o = options(TicketMode::FixedStep);
  o.fixed_step = 3;
  AnyBertModel model = tiny_model();
  auto strategy = make_ticket_strategy(o, 10);
  EarlyBirdSearch search(o, 10);
  EXPECT_TRUE(strategy->needs_coefficients());
  strategy->start(model, {});
  int64_t drew_at = -1;
  for (int64_t step = 0; step <= 4 && !strategy->drawn(); ++step) {
    if (step > 0) perturb(model);
    EXPECT_TRUE(strategy->adds_l1());
    const AnyBertModel before = model.clone();
    search.after_update(step, before);
    const StrategyStep s = strategy->after_update(step, model, {});
    EXPECT_EQ(s.shapes_changed, s.drew());
    if (s.drew()) {
      drew_at = step;
      EXPECT_EQ(s.drawn, DrawReason::FixedStep);
      EXPECT_FALSE(s.note.empty());
    }
  }
  EXPECT_EQ(drew_at, 3);
  EXPECT_FALSE(strategy->adds_l1());
  EXPECT_EQ(strategy->ticket().plan, search.ticket().plan);
  EXPECT_EQ(model.config().layer_heads(0), 3);  // pruned by the ticket
  EXPECT_EQ(strategy->after_update(4, model, {}).drew(), false);
}

TEST(TicketStrategy, ImpReachesTheOneShotSizesAndRewindsSurvivorsExactly) {
  TicketOptions o = options(TicketMode::Imp);
  o.score = UnitScore::Magnitude;
  o.imp_rounds = 2;
  o.imp_round_steps = 2;
  o.ratios.ffn_scope = PruneScope::Global;
  AnyBertModel model = tiny_model();
  const AnyBertModel initial = model.clone();
  auto strategy = make_ticket_strategy(o, 10);
  EXPECT_FALSE(strategy->needs_coefficients());  // magnitude needs no coefficients
  EXPECT_FALSE(strategy->adds_l1());
  strategy->start(model, {});
  std::vector<int64_t> pruned_at;
  for (int64_t step = 0; step <= 4; ++step) {
    if (step > 0) perturb(model);
    const StrategyStep s = strategy->after_update(step, model, {});
    if (s.shapes_changed) pruned_at.push_back(step);
    if (step < 4) EXPECT_FALSE(s.drew()) << step;
    if (step == 4) EXPECT_EQ(s.drawn, DrawReason::ImpRounds);
  }
  EXPECT_EQ(pruned_at, (std::vector<int64_t>{2, 4}));
  const Ticket t = strategy->ticket();
  EXPECT_EQ(t.draw_step, 4);
  EXPECT_EQ(t.mode, TicketMode::Imp);
  EXPECT_EQ(t.kept_heads_per_layer(), (std::vector<int64_t>{3, 3}));  // 4 − units_to_prune(4, 1/3)
  EXPECT_EQ(t.plan.kept_neurons(), 14);                               // round(24 · 0.6), global
  // Every surviving unit has exactly its initial weights: the pruned initial model equals the model.
  AnyBertModel expected = initial.clone();
  apply_plan(expected, t.plan);
  const auto got = model.module()->named_parameters();
  for (const auto& item : expected.module()->named_parameters())
    EXPECT_TRUE(torch::equal(got[item.key()], item.value())) << item.key();
}

TEST(TicketStrategy, ImpRewindsToStepK) {
  TicketOptions o = options(TicketMode::Imp);
  o.score = UnitScore::Slimming;
  o.imp_rounds = 1;
  o.imp_round_steps = 3;
  o.rewind_step = 1;
  AnyBertModel model = tiny_model();
  auto strategy = make_ticket_strategy(o, 10);
  EXPECT_TRUE(strategy->needs_coefficients());
  EXPECT_TRUE(strategy->adds_l1());
  strategy->start(model, {});
  std::optional<AnyBertModel> at_k;
  for (int64_t step = 0; step <= 3; ++step) {
    if (step > 0) perturb(model);
    if (step == 1) at_k = model.clone();
    strategy->after_update(step, model, {});
  }
  ASSERT_TRUE(strategy->drawn());
  AnyBertModel expected = at_k->clone();
  apply_plan(expected, strategy->ticket().plan);
  const auto got = model.module()->named_parameters();
  for (const auto& item : expected.module()->named_parameters())
    EXPECT_TRUE(torch::equal(got[item.key()], item.value())) << item.key();
  o.rewind_step = 3;
  expect_error([&] { make_ticket_strategy(o, 10); }, {"rewind_step", "before the first round ends"});
}

TEST(TicketStrategy, RiglKeepsTheUnitCountFixedAndDrawsAtTheEnd) {
  TicketOptions o = options(TicketMode::Rigl);
  o.max_search_steps = 6;
  o.rigl_fraction = 0.5;
  o.ratios.ffn_scope = PruneScope::Layerwise;
  AnyBertModel model = tiny_model();
  auto strategy = make_ticket_strategy(o, 10);
  EXPECT_TRUE(strategy->needs_coefficients());
  EXPECT_FALSE(strategy->adds_l1());
  const StrategyContext context = probe_context();
  strategy->start(model, context);
  auto active = [&] {
    std::vector<int64_t> counts;
    for (const auto& l : slimming_coefficients(model.bert())) {
      EXPECT_TRUE(torch::equal(l.heads * (1 - l.heads), torch::zeros_like(l.heads)));  // only 0 and 1
      counts.push_back(l.heads.sum().item<int64_t>());
      counts.push_back(l.ffn.sum().item<int64_t>());
    }
    return counts;
  };
  const std::vector<int64_t> start_counts = active();
  EXPECT_EQ(start_counts, (std::vector<int64_t>{3, 7, 3, 7}));
  std::vector<int64_t> noted;
  for (int64_t step = 1; step <= 6; ++step) {
    perturb(model);
    const StrategyStep s = strategy->after_update(step, model, context);
    if (!s.note.empty() && !s.drew()) noted.push_back(step);
    if (step < 6) {
      EXPECT_FALSE(s.shapes_changed);
      EXPECT_EQ(active(), start_counts) << step;
    } else {
      EXPECT_EQ(s.drawn, DrawReason::Rigl);
      EXPECT_TRUE(s.shapes_changed);
    }
  }
  EXPECT_EQ(noted, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(strategy->ticket().kept_heads_per_layer(), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(strategy->ticket().kept_neurons_per_layer(), (std::vector<int64_t>{7, 7}));
  EXPECT_EQ(model.config().layer_intermediate_size(1), 7);
  // RigL grows by gradients: without a probe batch it says so.
  AnyBertModel other = tiny_model();
  auto again = make_ticket_strategy(o, 10);
  again->start(other, {});
  expect_error([&] { again->after_update(2, other, {}); }, {"rigl", "probe batch"});
}

TEST(TicketStrategy, GreedySelectsTheTargetSizesAfterKDenseUpdates) {
  TicketOptions o = options(TicketMode::Greedy);
  o.fixed_step = 2;
  o.greedy_group_size = 4;
  AnyBertModel model = tiny_model();
  auto strategy = make_ticket_strategy(o, 10);
  const StrategyContext context = probe_context();
  strategy->start(model, context);
  for (int64_t step = 0; step < 2; ++step) {
    if (step > 0) perturb(model);
    EXPECT_FALSE(strategy->after_update(step, model, context).drew());
    for (const auto& l : slimming_coefficients(model.bert()))  // dense: coefficients held at 1
      EXPECT_TRUE(torch::equal(l.ffn, torch::ones_like(l.ffn)));
  }
  perturb(model);
  const StrategyStep s = strategy->after_update(2, model, context);
  EXPECT_EQ(s.drawn, DrawReason::Greedy);
  EXPECT_NE(s.note.find("probe forwards"), std::string::npos) << s.note;
  EXPECT_EQ(strategy->ticket().kept_heads_per_layer(), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(strategy->ticket().kept_neurons_per_layer(), (std::vector<int64_t>{7, 7}));  // a group of 4 cut to 3
  EXPECT_EQ(model.config().layer_heads(1), 3);
}

TEST(TicketStrategy, LabStrategiesResumeOnlyAfterTheDraw) {
  TicketOptions o = options(TicketMode::Greedy);
  auto strategy = make_ticket_strategy(o, 10);
  expect_error([&] { strategy->resume_drawn(Ticket{}); }, {"resume_from_checkpoint", "greedy", "before its ticket"});
  Ticket drawn;
  drawn.draw_step = 5;
  drawn.plan.layers.push_back({4, 12, {0}, {0}});
  strategy->resume_drawn(drawn);
  EXPECT_TRUE(strategy->drawn());
}

}  // namespace
}  // namespace earlybert
