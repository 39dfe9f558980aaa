// Greedy forward selection's order: on constructed additive losses (the answer is the gains sorted),
// with groups cut at a layer's target, and on a tiny BERT whose best unit is known by construction.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/prune/greedy.h"
#include "earlybert/prune/unit_scores.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

using test::expect_error;

TEST(Greedy, CandidatesAreHeadsThenNeuronGroups) {
  const auto c = greedy_candidates({2, 2}, {5, 3}, 2);
  ASSERT_EQ(c.size(), 4u + 3u + 2u);
  EXPECT_EQ(c[0].kind, UnitKind::Head);
  EXPECT_EQ(c[3].layer, 1);
  EXPECT_EQ(c[4].units, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(c[6].units, (std::vector<int64_t>{4}));  // the last group of a layer is smaller
  EXPECT_EQ(c[8].units, (std::vector<int64_t>{2}));
  expect_error([] { greedy_candidates({2}, {2}, 0); }, {"greedy_group_size"});
}

// loss = 100 − Σ gain over the units switched on: the greedy order is the gains in decreasing order,
// within each layer's target.
TEST(Greedy, AdditiveLossPicksTheLargestGainsFirst) {
  const std::vector<std::vector<double>> head_gain = {{1, 7, 3}, {5, 2, 9}};
  const std::vector<std::vector<double>> ffn_gain = {{4, 0.5, 6, 8}, {0.1, 0.2, 0.3, 10}};
  const MasksLoss loss = [&](const LayerMasks& h, const LayerMasks& f) {
    double v = 100;
    for (size_t l = 0; l < 2; ++l) {
      for (size_t i = 0; i < h[l].size(); ++i) v -= h[l][i] ? head_gain[l][i] : 0;
      for (size_t i = 0; i < f[l].size(); ++i) v -= f[l][i] ? ffn_gain[l][i] : 0;
    }
    return v;
  };
  const auto cands = greedy_candidates({3, 3}, {4, 4}, 1);
  const GreedyResult r = greedy_forward_selection({3, 3}, {4, 4}, {1, 2}, {2, 1}, cands, loss);
  EXPECT_EQ(r.empty_loss, 100);
  // Gains in order: ffn1[3]=10, head1[2]=9, ffn0[3]=8, head0[1]=7, ffn0[2]=6, head1[0]=5.
  std::vector<std::pair<int64_t, int64_t>> order;  // (layer, first unit), heads as unit, neurons as 100+unit
  for (const auto& p : r.picks)
    order.push_back({cands[p.candidate].layer, (cands[p.candidate].kind == UnitKind::Neuron ? 100 : 0) + p.added[0]});
  EXPECT_EQ(order, (std::vector<std::pair<int64_t, int64_t>>{{1, 103}, {1, 2}, {0, 103}, {0, 1}, {0, 102}, {1, 0}}));
  EXPECT_DOUBLE_EQ(r.picks.back().loss, 100 - 10 - 9 - 8 - 7 - 6 - 5);
  EXPECT_EQ(r.heads, (LayerMasks{{false, true, false}, {true, false, true}}));
  EXPECT_EQ(r.ffn, (LayerMasks{{false, false, true, true}, {false, false, false, true}}));
}

TEST(Greedy, AGroupIsCutAtItsLayersTarget) {
  const MasksLoss loss = [](const LayerMasks& h, const LayerMasks& f) {
    return 10.0 - static_cast<double>(count_kept(h) + count_kept(f));
  };
  const auto cands = greedy_candidates({1}, {6}, 4);
  const GreedyResult r = greedy_forward_selection({1}, {6}, {1}, {5}, cands, loss);
  EXPECT_EQ(count_kept(r.ffn), 5);
  EXPECT_EQ(r.ffn[0], (std::vector<bool>{true, true, true, true, true, false}));
  expect_error([&] { greedy_forward_selection({1}, {6}, {2}, {5}, cands, loss); }, {"layer 0", "between 1"});
}

// A one-layer tiny BERT whose best unit is known by construction: the reference output is the model
// with only head 2 on (all neurons on), the loss the squared distance to it, with the neurons held on
// whatever the masks say. Adding head 2 gives loss 0 exactly; every other head, and the neuron group
// (which changes nothing here), leaves the loss above 0 — so head 2 must be the first pick. The same
// with the roles swapped for a group of neurons.
TEST(Greedy, TinyModelPicksTheUnitKnownByConstruction) {
  BertConfig config = test::tiny_config();
  config.num_hidden_layers = 1;
  torch::manual_seed(11);
  BertModel bert(config);
  bert->eval();
  const Batch batch = test::tiny_batch(config);
  const LayerMasks all_heads = {{true, true, true, true}}, all_ffn = {std::vector<bool>(12, true)};
  torch::NoGradGuard ng;
  auto output = [&](const LayerMasks& h, const LayerMasks& f) {
    mask_units_by_coefficients(*bert, h, f);
    return bert->forward(batch).sequence_output.clone();
  };

  const torch::Tensor head_reference = output({{false, false, true, false}}, all_ffn);
  const MasksLoss head_loss = [&](const LayerMasks& h, const LayerMasks&) {
    return (output(h, all_ffn) - head_reference).pow(2).mean().item<double>();
  };
  auto cands = greedy_candidates({4}, {12}, 12);
  GreedyResult r = greedy_forward_selection({4}, {12}, {1}, {12}, cands, head_loss);
  ASSERT_EQ(r.picks.size(), 2u);
  EXPECT_GT(r.empty_loss, 1e-6);
  EXPECT_EQ(cands[r.picks[0].candidate].kind, UnitKind::Head);
  EXPECT_EQ(r.picks[0].added, (std::vector<int64_t>{2}));
  EXPECT_EQ(r.picks[0].loss, 0.0);
  EXPECT_EQ(r.heads[0], (std::vector<bool>{false, false, true, false}));

  LayerMasks group_on = {std::vector<bool>(12, false)};
  for (int n = 4; n < 8; ++n) group_on[0][static_cast<size_t>(n)] = true;
  const torch::Tensor ffn_reference = output(all_heads, group_on);
  const MasksLoss ffn_loss = [&](const LayerMasks&, const LayerMasks& f) {
    return (output(all_heads, f) - ffn_reference).pow(2).mean().item<double>();
  };
  cands = greedy_candidates({4}, {12}, 4);
  r = greedy_forward_selection({4}, {12}, {1}, {4}, cands, ffn_loss);
  EXPECT_EQ(cands[r.picks[0].candidate].kind, UnitKind::Neuron);
  EXPECT_EQ(r.picks[0].added, (std::vector<int64_t>{4, 5, 6, 7}));
  EXPECT_EQ(r.picks[0].loss, 0.0);
  EXPECT_EQ(r.ffn, group_on);
}

}  // namespace
}  // namespace earlybert
