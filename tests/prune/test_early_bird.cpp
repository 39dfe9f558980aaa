// Tests for the early-bird detector: the Hamming distance, the window rule on constructed mask
// trajectories (drawn exactly where the masks stabilise; never drawn when they keep moving), and the
// JSON state round trip used by trainer_state.json.
#include "earlybert/prune/early_bird.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "expect_error.h"
#include "scratch_dir.h"
#include "test_paths.h"

using namespace earlybert;
using earlybert::test::expect_error;

namespace {

/// Head masks (1/3 pruned per layer) and FFN masks (40% pruned globally) from coefficients, with the
/// model engineer's draw_masks — the masks the trainer feeds the detector.
LayerMasks head_masks(const std::vector<std::vector<float>>& c) {
  return draw_masks(c, 1.0 / 3.0 + 1e-6, PruneScope::Layerwise);
}
LayerMasks ffn_masks(const std::vector<std::vector<float>>& c) { return draw_masks(c, 0.4, PruneScope::Global); }

/// Coefficients of 2 layers x `n` units at optimizer step `step`: before `settle`, the ranking rotates
/// every step (the masks keep changing); from `settle` on, the values only shrink by a common factor (L1
/// pulls them down) so the ranking, hence the mask, is fixed.
std::vector<std::vector<float>> coefficients(int64_t step, int64_t settle, size_t n) {
  std::vector<std::vector<float>> c(2, std::vector<float>(n));
  const int64_t t = std::min(step, settle);
  for (size_t l = 0; l < 2; ++l)
    for (size_t i = 0; i < n; ++i)
      c[l][i] = static_cast<float>((1.0 + static_cast<double>((i + static_cast<size_t>(t) * 3 + l) % n)) *
                                   std::pow(0.99, static_cast<double>(step)));
  return c;
}

}  // namespace

TEST(EarlyBird, RecordsNormalizedHammingDistances) {
  // Distances are prune/masks.h's mask_distance over all layers flattened: 2 of 6 entries differ.
  const LayerMasks a = {{true, true, false, false}, {true, false}};
  const LayerMasks b = {{true, false, false, true}, {true, false}};
  EarlyBirdDetector d(0.1, 1);
  d.observe(1, a, a);
  d.observe(2, b, a);
  EXPECT_DOUBLE_EQ(d.history()[1].dist_heads, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(d.history()[1].dist_ffn, 0.0);
  EXPECT_DOUBLE_EQ(d.history()[1].window_max_heads, 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(d.history()[1].dist_heads, mask_distance(a, b));
}

TEST(EarlyBird, DrawnExactlyWhereTheTrajectoryStabilises) {
  // Checks every 10 steps; the coefficients' ranking stops changing at step 70, so the masks recorded at
  // 70, 80, 90, 100 and 110 are identical: at step 110 the newest mask has 4 identical predecessors.
  const int64_t check = 10, settle = 70;
  EarlyBirdDetector d(0.1, 4);
  int64_t drawn_at = -1;
  for (int64_t step = check; step <= 300 && drawn_at < 0; step += check) {
    const auto heads = head_masks(coefficients(step, settle, 12));
    const auto ffn = ffn_masks(coefficients(step + 1, settle, 40));
    if (d.observe(step, heads, ffn)) drawn_at = step;
  }
  EXPECT_EQ(drawn_at, settle + 4 * check);
  EXPECT_EQ(d.draw_step(), settle + 4 * check);
  const auto& h = d.history();
  ASSERT_EQ(h.size(), 11u);
  EXPECT_EQ(h.front().dist_heads, -1.0);   // nothing before the first mask
  EXPECT_EQ(h[2].window_max_heads, -1.0);  // fewer than 4 previous masks
  EXPECT_GT(h[5].dist_heads, 0.1);         // step 60 vs 50: still moving
  EXPECT_GT(h[6].dist_ffn, 0.1);           // step 70 (settled) vs 60 (not yet)
  EXPECT_EQ(h[7].dist_heads, 0.0);         // step 80 vs 70: settled
  EXPECT_FALSE(h[9].drawn);                // step 100: window still holds step 60's mask
  EXPECT_TRUE(h.back().drawn);
  EXPECT_EQ(h.back().window_max_heads, 0.0);
  EXPECT_EQ(h.back().window_max_ffn, 0.0);
}

TEST(EarlyBird, NeverStabilisingTrajectoryIsNotDrawn) {
  EarlyBirdDetector d(0.1, 4);
  for (int64_t step = 5; step <= 500; step += 5) {
    EXPECT_FALSE(
        d.observe(step, head_masks(coefficients(step, 1 << 30, 12)), ffn_masks(coefficients(step, 1 << 30, 40))));
  }
  EXPECT_FALSE(d.drawn());
  EXPECT_EQ(d.draw_step(), -1);
  EXPECT_EQ(d.history().size(), 100u);
}

TEST(EarlyBird, WithinThresholdMeansAtMostThreshold) {
  // 20 heads; each new mask flips one more head than the reference: distance k/20.
  auto mask_with_flips = [](int flips) {
    std::vector<bool> m(20, true);
    for (int i = 0; i < flips; ++i) m[static_cast<size_t>(i)] = false;
    return LayerMasks{m};
  };
  const LayerMasks ffn = {{true, false, true}};
  // Window 2, threshold 0.1 (= 2 flips of 20).
  EarlyBirdDetector d(0.1, 2);
  EXPECT_FALSE(d.observe(1, mask_with_flips(0), ffn));
  EXPECT_FALSE(d.observe(2, mask_with_flips(1), ffn));  // only 1 previous mask
  EXPECT_TRUE(d.observe(3, mask_with_flips(2), ffn));   // distances 0.1 and 0.05: both <= 0.1
  EXPECT_EQ(d.draw_step(), 3);
  EXPECT_DOUBLE_EQ(d.history().back().window_max_heads, 0.1);

  EarlyBirdDetector e(0.1, 2);
  e.observe(1, mask_with_flips(0), ffn);
  e.observe(2, mask_with_flips(2), ffn);
  EXPECT_FALSE(e.observe(3, mask_with_flips(3), ffn));  // 0.15 to the step-1 mask: too far
  // The FFN masks must be stable too, not only the heads.
  EarlyBirdDetector f(0.1, 1);
  f.observe(1, mask_with_flips(0), {{true, true, true}});
  EXPECT_FALSE(f.observe(2, mask_with_flips(0), {{true, false, true}}));  // ffn distance 1/3
  EXPECT_TRUE(f.observe(3, mask_with_flips(0), {{true, false, true}}));
}

TEST(EarlyBird, ThresholdZeroNeedsIdenticalMasksAndDrawStaysFirst) {
  EarlyBirdDetector d(0.0, 1);
  const LayerMasks a = {{true, false}}, b = {{false, true}};
  EXPECT_FALSE(d.observe(10, a, a));
  EXPECT_FALSE(d.observe(20, b, a));
  EXPECT_TRUE(d.observe(30, b, a));
  EXPECT_TRUE(d.observe(40, a, a));  // stays drawn ...
  EXPECT_EQ(d.draw_step(), 30);      // ... at the first draw
}

TEST(EarlyBird, BadArgumentsAndStepOrder) {
  expect_error([] { EarlyBirdDetector(-0.1, 4); }, {"ticket_threshold"});
  expect_error([] { EarlyBirdDetector(0.1, 0); }, {"ticket_window"});
  EarlyBirdDetector d;
  d.observe(10, {{true}}, {{true}});
  expect_error([&] { d.observe(10, {{true}}, {{true}}); }, {"increasing steps"});
  expect_error([&] { d.observe(20, {{true, true}}, {{true}}); }, {"mask distance", "layer 0"});
}

TEST(EarlyBird, JsonStateRoundTripContinuesIdentically) {
  EarlyBirdDetector a(0.1, 4);
  const int64_t settle = 70;
  for (int64_t step = 10; step <= 80; step += 10)
    a.observe(step, head_masks(coefficients(step, settle, 12)), ffn_masks(coefficients(step, settle, 40)));
  EarlyBirdDetector b = EarlyBirdDetector::from_json(a.to_json(), "trainer_state.json");
  EXPECT_EQ(b.to_json(), a.to_json());
  for (int64_t step = 90; step <= 120; step += 10) {
    const auto h = head_masks(coefficients(step, settle, 12));
    const auto f = ffn_masks(coefficients(step, settle, 40));
    EXPECT_EQ(a.observe(step, h, f), b.observe(step, h, f)) << step;
  }
  EXPECT_EQ(a.draw_step(), b.draw_step());
  EXPECT_EQ(b.draw_step(), 110);
  expect_error([] { EarlyBirdDetector::from_json("{\"threshold\": 0.1}", "state.json"); }, {"state.json", "window"});
  expect_error(
      [] {
        EarlyBirdDetector::from_json(
            "{\"threshold\": 0.1, \"window\": 1, \"draw_step\": -1, \"history\": [],"
            " \"recent_masks\": [{\"step\": 1, \"heads\": [\"10x\"], \"ffn\": []}]}",
            "state.json");
      },
      {"state.json", "recent_masks[0].heads"});
}

TEST(EarlyBird, AllowedDistanceNeverBelowMinSwaps) {
  // One swap changes 2 entries: 2/16 for BERT-mini's heads, 2/144 for BERT-base's.
  EXPECT_DOUBLE_EQ(allowed_mask_distance(0.1, 1, 16), 0.125);
  EXPECT_DOUBLE_EQ(allowed_mask_distance(0.1, 1, 144), 0.1);
  EXPECT_DOUBLE_EQ(allowed_mask_distance(0.0, 1, 144), 2.0 / 144);
  EXPECT_DOUBLE_EQ(allowed_mask_distance(0.1, 0, 16), 0.1);
  EXPECT_DOUBLE_EQ(allowed_mask_distance(0.0, 2, 16), 0.25);
}

TEST(EarlyBird, OneSwappedHeadOfASmallModelCanBeStable) {
  // BERT-mini: 4 layers x 4 heads. The masks alternate by one swapped head in layer 0 — noise. With a
  // plain 0.1 threshold the rule can never hold (the distance is 0.125); with min_swaps 1 it does.
  LayerMasks a(4, {true, true, true, false}), b = a;
  b[0] = {true, true, false, true};
  const LayerMasks ffn(4, std::vector<bool>(64, true));
  EarlyBirdDetector plain(EarlyBirdCriterion{0.1, 0.1, 0}, 2);
  EarlyBirdDetector floored(EarlyBirdCriterion{0.1, 0.1, 1}, 2);
  for (int64_t step = 1; step <= 8; ++step) {
    plain.observe(step, step % 2 ? a : b, ffn);
    floored.observe(step, step % 2 ? a : b, ffn);
  }
  EXPECT_FALSE(plain.drawn());
  EXPECT_EQ(floored.draw_step(), 3);  // the third observation has 2 predecessors within one swap
  EXPECT_DOUBLE_EQ(floored.allowed_heads(), 0.125);
  EXPECT_DOUBLE_EQ(floored.allowed_ffn(), 0.1);
  // Two swapped heads are more than noise: not drawn.
  LayerMasks c = b;
  c[1] = {true, true, false, true};
  EarlyBirdDetector two(EarlyBirdCriterion{0.1, 0.1, 1}, 2);
  for (int64_t step = 1; step <= 8; ++step) two.observe(step, step % 2 ? a : c, ffn);
  EXPECT_FALSE(two.drawn());
}

TEST(EarlyBird, PerKindThresholds) {
  // Heads stable, FFN moving by 2 of 40 entries (0.05): drawn with an FFN threshold of 0.05, not 0.04.
  const LayerMasks heads(2, {true, true, false});
  LayerMasks f1(2, std::vector<bool>(20, true)), f2 = f1;
  f1[0][0] = false;
  f2[0][1] = false;
  for (double t : {0.05, 0.04}) {
    EarlyBirdDetector d(EarlyBirdCriterion{0.0, t, 0}, 1);
    d.observe(1, heads, f1);
    d.observe(2, heads, f2);
    EXPECT_EQ(d.drawn(), t == 0.05) << t;
  }
  expect_error([] { EarlyBirdDetector(EarlyBirdCriterion{-1, 0.1, 0}, 2); }, {"ticket_threshold_heads"});
  expect_error([] { EarlyBirdDetector(EarlyBirdCriterion{0.1, -1, 0}, 2); }, {"ticket_threshold_ffn"});
  expect_error([] { EarlyBirdDetector(EarlyBirdCriterion{0.1, 0.1, -1}, 2); }, {"ticket_min_swaps"});
}

TEST(EarlyBird, CriterionSurvivesJsonAndOldFilesKeepTheirRule) {
  EarlyBirdDetector a(EarlyBirdCriterion{0.2, 0.05, 1}, 3);
  a.observe(1, {{true, false}}, {{true, true, false}});
  const EarlyBirdDetector b = EarlyBirdDetector::from_json(a.to_json(), "state.json");
  EXPECT_EQ(b.criterion(), a.criterion());
  EXPECT_DOUBLE_EQ(b.allowed_heads(), a.allowed_heads());
  EXPECT_EQ(b.to_json(), a.to_json());
  // A trainer_state.json from before: one threshold, no floor.
  const EarlyBirdDetector old = EarlyBirdDetector::from_json(
      "{\"threshold\": 0.3, \"window\": 1, \"draw_step\": -1, \"history\": [], \"recent_masks\": []}", "old.json");
  EXPECT_EQ(old.criterion(), (EarlyBirdCriterion{0.3, 0.3, 0}));
}
