// Unit scores against element-by-element sums, and masking through the coefficients against physical
// pruning (the masked model computes what the pruned one computes; growing with zeroed outputs keeps
// the function).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "earlybert/model/slimming.h"
#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/unit_scores.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

using test::expect_error;
using test::tiny_batch;
using test::tiny_config;

BertModel random_bert(uint64_t seed = 1) {
  torch::manual_seed(seed);
  BertModel bert(tiny_config());
  torch::NoGradGuard ng;
  for (auto& p : bert->parameters()) p.uniform_(-1.0, 1.0);
  bert->eval();
  return bert;
}

// Σ|w| over the given rows (dim 0) or columns (dim 1) of a 2-D tensor, element by element.
double abs_sum(const torch::Tensor& w, int dim, int64_t from, int64_t count) {
  const auto a = w.accessor<float, 2>();
  double s = 0;
  for (int64_t i = 0; i < w.size(0); ++i)
    for (int64_t j = 0; j < w.size(1); ++j) {
      const int64_t k = dim == 0 ? i : j;
      if (k >= from && k < from + count) s += std::fabs(a[i][j]);
    }
  return s;
}

TEST(UnitScores, MagnitudeIsTheL1NormOfTheUnitsOwnWeights) {
  BertModel bert = random_bert();
  const UnitScores s = magnitude_scores(*bert);
  ASSERT_EQ(s.heads.size(), 2u);
  const int64_t d = 4;
  for (int64_t l = 0; l < 2; ++l) {
    auto& layer = bert->encoder->at(l);
    ASSERT_EQ(s.heads[l].size(), 4u);
    for (int64_t h = 0; h < 4; ++h) {
      const double expected = abs_sum(layer.attention->self->query->weight, 0, h * d, d) +
                              abs_sum(layer.attention->self->key->weight, 0, h * d, d) +
                              abs_sum(layer.attention->self->value->weight, 0, h * d, d) +
                              abs_sum(layer.attention->output->dense->weight, 1, h * d, d);
      EXPECT_NEAR(s.heads[l][h], expected, 1e-3) << "layer " << l << " head " << h;
    }
    ASSERT_EQ(s.ffn[l].size(), 12u);
    for (int64_t n = 0; n < 12; ++n) {
      const double expected =
          abs_sum(layer.intermediate->dense->weight, 0, n, 1) + abs_sum(layer.output->dense->weight, 1, n, 1);
      EXPECT_NEAR(s.ffn[l][n], expected, 1e-4) << "layer " << l << " neuron " << n;
    }
  }
}

TEST(UnitScores, ABiggerSliceScoresHigher) {
  BertModel bert = random_bert();
  {
    torch::NoGradGuard ng;
    bert->encoder->at(1).attention->self->value->weight.narrow(0, 8, 4).mul_(10.0);  // head 2 of layer 1
    bert->encoder->at(0).output->dense->weight.narrow(1, 5, 1).mul_(100.0);          // neuron 5 of layer 0
  }
  const UnitScores s = magnitude_scores(*bert);
  EXPECT_EQ(std::max_element(s.heads[1].begin(), s.heads[1].end()) - s.heads[1].begin(), 2);
  EXPECT_EQ(std::max_element(s.ffn[0].begin(), s.ffn[0].end()) - s.ffn[0].begin(), 5);
}

TEST(UnitScores, SlimmingScoresAreCoefficientMagnitudes) {
  BertModel bert = random_bert();
  {
    torch::NoGradGuard ng;
    slimming_coefficients(bert)[0].heads[3] = -2.5;
  }
  const UnitScores s = unit_scores(*bert, UnitScore::Slimming);
  EXPECT_FLOAT_EQ(s.heads[0][3], 2.5f);
  BertConfig c = tiny_config();
  c.slimming = false;
  BertModel plain(c);
  expect_error([&] { unit_scores(*plain, UnitScore::Slimming); }, {"ticket_score", "slimming coefficients"});
  EXPECT_EQ(unit_scores(*plain, UnitScore::Magnitude).heads.size(), 2u);  // magnitude needs none
}

PruningPlan example_plan() {
  PruningPlan p;
  p.layers.push_back({4, 12, {0, 2, 3}, {1, 4, 5, 9, 10}});
  p.layers.push_back({4, 12, {1}, {0, 2, 3, 6, 7, 8, 11}});
  return p;
}

TEST(UnitMasking, MaskedModelComputesWhatThePrunedModelComputes) {
  BertModel bert = random_bert();
  const Batch batch = tiny_batch(tiny_config());
  const PruningPlan plan = example_plan();
  BertModel pruned(std::dynamic_pointer_cast<BertModelImpl>(bert->clone()));
  {
    torch::NoGradGuard ng;
    for (auto& l : slimming_coefficients(pruned)) l.heads.fill_(1.0), l.ffn.fill_(1.0);
  }
  apply_plan(pruned, plan);
  pruned->eval();
  mask_units_by_coefficients(*bert, plan_head_masks(plan), plan_neuron_masks(plan));
  torch::NoGradGuard ng;
  const auto a = bert->forward(batch).sequence_output;
  const auto b = pruned->forward(batch).sequence_output;
  EXPECT_LT(test::max_abs_diff(a, b), 1e-5);
  const auto coefs = slimming_coefficients(bert);
  EXPECT_EQ(coefs[1].heads[0].item<float>(), 0.0f);
  EXPECT_EQ(coefs[1].heads[1].item<float>(), 1.0f);
}

TEST(UnitMasking, GrowingWithZeroedOutputsKeepsTheFunction) {
  BertModel bert = random_bert();
  const Batch batch = tiny_batch(tiny_config());
  LayerMasks heads = {{true, false, true, true}, {true, true, false, true}};
  LayerMasks ffn = {std::vector<bool>(12, true), std::vector<bool>(12, true)};
  ffn[0][7] = false;
  mask_units_by_coefficients(*bert, heads, ffn);
  torch::NoGradGuard ng;
  const auto before = bert->forward(batch).sequence_output.clone();
  zero_unit_outputs(*bert, {{1}, {2}}, {{7}, {}});
  heads[0][1] = heads[1][2] = true;
  ffn[0][7] = true;
  mask_units_by_coefficients(*bert, heads, ffn);
  const auto after = bert->forward(batch).sequence_output;
  EXPECT_LT(test::max_abs_diff(before, after), 1e-6);
  // Without zeroing, switching a unit on does change the function (the test above is not vacuous).
  heads[0][0] = false;
  mask_units_by_coefficients(*bert, heads, ffn);
  const auto off = bert->forward(batch).sequence_output.clone();
  heads[0][0] = true;
  mask_units_by_coefficients(*bert, heads, ffn);
  EXPECT_GT(test::max_abs_diff(off, bert->forward(batch).sequence_output), 1e-4);
}

TEST(UnitMasking, BadMasksAndUnitsAreErrors) {
  BertModel bert = random_bert();
  expect_error([&] { mask_units_by_coefficients(*bert, {{true}}, {{true}}); }, {"unit masks", "1/1 layers"});
  expect_error([&] { zero_unit_outputs(*bert, {{4}, {}}, {{}, {}}); }, {"layer 0", "no head 4"});
  expect_error([&] { zero_unit_outputs(*bert, {{}, {}}, {{}, {12}}); }, {"layer 1", "no FFN neuron 12"});
}

}  // namespace
}  // namespace earlybert
