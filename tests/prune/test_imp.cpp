// IMP's pure parts: round sizes (geometric, ending on the one-shot counts), the round masks, plan
// composition; and RewindPoint: rewinding a model pruned twice gives each survivor exactly its kept
// weights (checked against slicing the kept tensors by hand).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/imp.h"
#include "earlybert/prune/rewind.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

using test::expect_error;
using test::tiny_config;

TEST(ImpRounds, KeptCountsShrinkGeometricallyToTheOneShotCount) {
  // 12 heads, a third pruned in 2 rounds: round(12·sqrt(2/3)) = round(9.80) = 10, then the official 8.
  EXPECT_EQ(imp_kept_per_round(12, 1.0 / 3.0, 2, true), (std::vector<int64_t>{10, 8}));
  // 2048 neurons, 0.4 in 2 rounds: round(2048·sqrt(0.6)) = round(1586.4) = 1586, then 2048 − 819.
  EXPECT_EQ(imp_kept_per_round(2048, 0.4, 2, true), (std::vector<int64_t>{1586, 1229}));
  EXPECT_EQ(imp_kept_per_round(2048, 0.4, 2, true).back(), 2048 - units_to_prune(2048, 0.4));
  // Global over 24 units, 0.4 in 3 rounds: 24·0.6^(1/3) = 20.24, 24·0.6^(2/3) = 17.07, round(14.4) = 14.
  EXPECT_EQ(imp_kept_per_round(24, 0.4, 3, false), (std::vector<int64_t>{20, 17, 14}));
  EXPECT_EQ(imp_kept_per_round(8, 1.0 / 3.0, 1, true), (std::vector<int64_t>{5}));  // one round = one shot
  // A small layer may keep the same count in a round.
  EXPECT_EQ(imp_kept_per_round(4, 1.0 / 3.0, 2, true), (std::vector<int64_t>{3, 3}));
  expect_error([] { imp_kept_per_round(12, 0.3, 0, true); }, {"imp_rounds", ">= 1"});
}

TEST(ImpRounds, GlobalFinalCountEqualsDrawMasks) {
  const std::vector<std::vector<float>> scores = {{0.3f, 0.1f, 0.7f, 0.2f, 0.9f}, {0.5f, 0.4f, 0.8f, 0.6f, 0.05f}};
  for (double ratio : {0.2, 0.4, 0.6}) {
    const int64_t final_kept = imp_kept_per_round(10, ratio, 2, false).back();
    EXPECT_EQ(final_kept, count_kept(draw_masks(scores, ratio, PruneScope::Global))) << ratio;
    EXPECT_EQ(keep_best_units(scores, {final_kept}, PruneScope::Global), draw_masks(scores, ratio, PruneScope::Global));
  }
}

TEST(ImpRounds, KeepBestUnitsKeepsTheHighestScores) {
  EXPECT_EQ(keep_best_units({{0.1f, 0.5f, 0.3f, 0.9f}, {0.4f, -0.8f, 0.2f, 0.0f}}, {2, 3}, PruneScope::Layerwise),
            (LayerMasks{{false, true, false, true}, {true, true, true, false}}));
  EXPECT_EQ(keep_best_units({{0.1f, 0.5f}, {0.3f, 0.9f, 0.2f}}, {3}, PruneScope::Global),
            (LayerMasks{{false, true}, {true, true, false}}));
  // Ties: the lower index is pruned first, as in draw_masks.
  EXPECT_EQ(keep_best_units({{0.5f, 0.5f, 0.5f}}, {1}, PruneScope::Layerwise), (LayerMasks{{false, false, true}}));
  expect_error([] { keep_best_units({{0.1f, 0.2f}}, {3}, PruneScope::Layerwise); }, {"layer 0", "cannot keep 3 of 2"});
}

TEST(ImpRounds, ComposedPlansNumberTheOriginalUnits) {
  PruningPlan first, second;
  first.layers.push_back({4, 12, {0, 2, 3}, {1, 4, 5, 9, 10}});
  second.layers.push_back({3, 5, {0, 2}, {1, 3, 4}});
  const PruningPlan c = compose_plans(first, second);
  EXPECT_EQ(c.layers[0], (LayerPlan{4, 12, {0, 3}, {4, 9, 10}}));
  second.layers[0].num_heads = 4;
  expect_error([&] { compose_plans(first, second); }, {"layer 0", "does not number what the first keeps"});
}

// The rows of `t` (dim 0) or columns (dim 1) of heads `kept` (width d), selected by hand.
torch::Tensor head_slices(const torch::Tensor& t, int64_t dim, const std::vector<int64_t>& kept, int64_t d) {
  std::vector<torch::Tensor> parts;
  for (int64_t h : kept) parts.push_back(t.narrow(dim, h * d, d));
  return torch::cat(parts, dim);
}
torch::Tensor unit_slices(const torch::Tensor& t, int64_t dim, const std::vector<int64_t>& kept) {
  std::vector<torch::Tensor> parts;
  for (int64_t n : kept) parts.push_back(t.narrow(dim, n, 1));
  return torch::cat(parts, dim);
}

TEST(RewindPoint, SurvivorsOfTwoRoundsGetExactlyTheirKeptWeights) {
  torch::manual_seed(4);
  AnyBertModel model = AnyBertModel::create(ModelKind::SequenceClassification, tiny_config());
  RewindPoint rewind;
  rewind.keep(model, 0);
  EXPECT_TRUE(rewind.kept());
  EXPECT_EQ(rewind.step(), 0);
  const AnyBertModel original = model.clone();
  auto perturb = [&] {  // "training"
    torch::NoGradGuard ng;
    for (auto& p : model.module()->parameters()) p.add_(torch::randn_like(p));
  };
  PruningPlan first, second;
  first.layers.push_back({4, 12, {0, 2, 3}, {1, 4, 5, 9, 10, 11}});
  first.layers.push_back({4, 12, {1, 2}, {0, 2, 3, 6, 7, 8, 11}});
  second.layers.push_back({3, 6, {1, 2}, {0, 2, 5}});
  second.layers.push_back({2, 7, {1}, {1, 2, 6}});
  for (const PruningPlan* plan : {&first, &second}) {
    perturb();
    apply_plan(model, *plan);
    rewind.prune(*plan);
    rewind.restore_into(model);
  }
  const PruningPlan all = compose_plans(first, second);
  EXPECT_EQ(all.layers[0].kept_heads, (std::vector<int64_t>{2, 3}));
  auto& bert = *model.bert();
  auto& orig = *original.bert();
  for (int64_t l = 0; l < 2; ++l) {
    const auto& kept = all.layers[static_cast<size_t>(l)];
    auto& a = bert.encoder->at(l);
    auto& o = orig.encoder->at(l);
    EXPECT_TRUE(torch::equal(a.attention->self->query->weight,
                             head_slices(o.attention->self->query->weight, 0, kept.kept_heads, 4)));
    EXPECT_TRUE(torch::equal(a.attention->self->value->bias,
                             head_slices(o.attention->self->value->bias, 0, kept.kept_heads, 4)));
    EXPECT_TRUE(torch::equal(a.attention->output->dense->weight,
                             head_slices(o.attention->output->dense->weight, 1, kept.kept_heads, 4)));
    EXPECT_TRUE(
        torch::equal(a.intermediate->dense->weight, unit_slices(o.intermediate->dense->weight, 0, kept.kept_neurons)));
    EXPECT_TRUE(torch::equal(a.output->dense->weight, unit_slices(o.output->dense->weight, 1, kept.kept_neurons)));
    EXPECT_TRUE(torch::equal(a.output->dense->bias, o.output->dense->bias));  // shared, not a unit's
  }
  EXPECT_TRUE(torch::equal(bert.embeddings->word_embeddings->weight, orig.embeddings->word_embeddings->weight));
}

TEST(RewindPoint, MismatchesAreErrors) {
  torch::manual_seed(4);
  AnyBertModel model = AnyBertModel::create(ModelKind::SequenceClassification, tiny_config());
  RewindPoint rewind;
  expect_error([&] { rewind.restore_into(model); }, {"rewind", "no weights kept"});
  rewind.keep(model, 3);
  PruningPlan plan;
  plan.layers.push_back({4, 12, {0}, {1}});
  plan.layers.push_back({4, 12, {0}, {1}});
  apply_plan(model, plan);  // the model is pruned, the kept copy is not
  expect_error([&] { rewind.restore_into(model); }, {"rewind", "another shape"});
}

}  // namespace
}  // namespace earlybert
