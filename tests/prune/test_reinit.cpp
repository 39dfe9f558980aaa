// Random re-initialisation: the structure stays, every weight is new, the same seed gives the same
// weights, the model's own initialisation is followed, and the run's random stream is not disturbed.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/reinit.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

AnyBertModel pruned_model() {
  torch::manual_seed(2);
  AnyBertModel m = AnyBertModel::create(ModelKind::SequenceClassification, test::tiny_config());
  PruningPlan plan;
  plan.layers.push_back({4, 12, {0, 2}, {1, 4, 5, 9}});
  plan.layers.push_back({4, 12, {1, 3}, {0, 2, 3}});
  apply_plan(m, plan);
  torch::NoGradGuard ng;
  for (auto& p : m.module()->parameters()) p.add_(0.5);  // "trained": far from any initialisation
  return m;
}

TEST(Reinit, KeepsTheStructureAndReplacesEveryWeight) {
  AnyBertModel m = pruned_model();
  const AnyBertModel before = m.clone();
  reinitialize(m, 7);
  EXPECT_EQ(m.config().layer_heads(0), 2);
  EXPECT_EQ(m.config().layer_intermediate_size(1), 3);
  const auto a = before.module()->named_parameters();
  const auto b = m.module()->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (const auto& item : a) {
    const torch::Tensor& now = b[item.key()];
    EXPECT_TRUE(now.sizes().equals(item.value().sizes())) << item.key();
    EXPECT_FALSE(torch::equal(now, item.value())) << item.key();
  }
  // The model's own initialisation: normal(0, initializer_range) weights, zero biases, LayerNorm 1,
  // coefficients 1.
  const auto& layer = m.bert()->encoder->at(0);
  const torch::Tensor w = layer.intermediate->dense->weight;
  EXPECT_NEAR(w.std().item<double>(), test::tiny_config().initializer_range, 0.01);
  EXPECT_EQ(layer.intermediate->dense->bias.abs().max().item<float>(), 0.0f);
  EXPECT_TRUE(torch::equal(layer.output->LayerNorm->weight, torch::ones_like(layer.output->LayerNorm->weight)));
  EXPECT_TRUE(torch::equal(layer.slimming_coef, torch::ones_like(layer.slimming_coef)));
}

TEST(Reinit, SameSeedSameWeightsOtherSeedOtherWeights) {
  AnyBertModel a = pruned_model(), b = pruned_model(), c = pruned_model();
  reinitialize(a, 7);
  reinitialize(b, 7);
  reinitialize(c, 8);
  const auto pa = a.module()->named_parameters(), pb = b.module()->named_parameters(),
             pc = c.module()->named_parameters();
  const std::string key = "bert.encoder.layer.1.attention.self.query.weight";
  EXPECT_TRUE(torch::equal(pa[key], pb[key]));
  EXPECT_FALSE(torch::equal(pa[key], pc[key]));
}

TEST(Reinit, LeavesTheRunsRandomStreamAsItWas) {
  AnyBertModel m = pruned_model();
  torch::manual_seed(5);
  const torch::Tensor expected = torch::rand({8});
  torch::manual_seed(5);
  reinitialize(m, 9);
  EXPECT_TRUE(torch::equal(torch::rand({8}), expected));
}

}  // namespace
}  // namespace earlybert
