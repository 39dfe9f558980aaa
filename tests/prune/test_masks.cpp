// Mask drawing: exact counts, tie-breaks, the one-unit floor, edge ratios; and mask distance.
#include <gtest/gtest.h>

#include "earlybert/prune/masks.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

using test::expect_error;

std::vector<int64_t> pruned_per_layer(const LayerMasks& m) {
  std::vector<int64_t> out;
  for (const auto& l : m) out.push_back(static_cast<int64_t>(std::count(l.begin(), l.end(), false)));
  return out;
}

TEST(Masks, UnitsToPruneRoundsDown) {
  EXPECT_EQ(units_to_prune(12, 1.0 / 3.0), 4);
  EXPECT_EQ(units_to_prune(12, 0.333), 4);
  EXPECT_EQ(units_to_prune(8, 0.333), 3);  // the official round(n * (1 - ratio)) rule
  EXPECT_EQ(units_to_prune(10, 0.3), 3);   // 0.3*10 = 2.9999999999999996 in binary
  EXPECT_EQ(units_to_prune(2048, 0.4), 819);
  EXPECT_EQ(units_to_prune(8, 0.0), 0);
  EXPECT_EQ(units_to_prune(8, 1.0), 7);  // floor: one unit stays
  EXPECT_EQ(units_to_prune(1, 0.9), 0);
}

TEST(Masks, LayerwisePrunesTheSmallestMagnitudesOfEachLayer) {
  const std::vector<std::vector<float>> s = {{0.9f, -0.1f, 0.5f, 0.2f}, {0.3f, 0.8f, -0.05f, 0.6f}};
  const auto m = draw_masks(s, 0.5, PruneScope::Layerwise);
  EXPECT_EQ(m[0], (std::vector<bool>{true, false, true, false}));
  EXPECT_EQ(m[1], (std::vector<bool>{false, true, false, true}));
}

TEST(Masks, LayerwiseCountsPerLayer) {
  std::vector<std::vector<float>> s = {std::vector<float>(10, 1.f), std::vector<float>(7, 1.f), {1.f}};
  for (size_t l = 0; l < s.size(); ++l) {
    for (size_t i = 0; i < s[l].size(); ++i) s[l][i] = static_cast<float>((i * 7 + l * 3) % 11) + 0.5f;
  }
  EXPECT_EQ(pruned_per_layer(draw_masks(s, 0.4, PruneScope::Layerwise)),
            (std::vector<int64_t>{4, 3, 0}));  // 7 - round(7 * 0.6) = 3
  EXPECT_EQ(pruned_per_layer(draw_masks(s, 0.0, PruneScope::Layerwise)), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(pruned_per_layer(draw_masks(s, 1.0, PruneScope::Layerwise)), (std::vector<int64_t>{9, 6, 0}));
}

TEST(Masks, GlobalPrunesAnExactCountAcrossLayers) {
  // Layer 1 holds all the small values, so a global threshold prunes it harder.
  const std::vector<std::vector<float>> s = {{5.f, 6.f, 7.f, 8.f, 9.f}, {0.1f, 0.2f, 0.3f, 4.f, 0.4f}};
  const auto m = draw_masks(s, 0.4, PruneScope::Global);  // floor(0.4 * 10) = 4
  EXPECT_EQ(count_kept(m), 6);
  EXPECT_EQ(m[0], std::vector<bool>(5, true));
  EXPECT_EQ(m[1], (std::vector<bool>{false, false, false, true, false}));
}

TEST(Masks, GlobalKeepsOneUnitPerLayerAndStaysExact) {
  // The four smallest are all in layer 1 (size 4): its last unit is skipped and the next-smallest
  // unit elsewhere is pruned instead, so exactly 4 are still pruned.
  const std::vector<std::vector<float>> s = {{1.f, 2.f, 3.f}, {0.1f, 0.2f, 0.3f, 0.4f}};
  const auto m = draw_masks(s, 4.0 / 7.0, PruneScope::Global);
  EXPECT_EQ(pruned_per_layer(m), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(m[1], (std::vector<bool>{false, false, false, true}));
  EXPECT_EQ(m[0], (std::vector<bool>{false, true, true}));
  // Ratio 1: every layer keeps exactly one unit (its largest), fewer than floor(1 * 7) pruned.
  const auto all = draw_masks(s, 1.0, PruneScope::Global);
  EXPECT_EQ(pruned_per_layer(all), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(all[0], (std::vector<bool>{false, false, true}));
}

TEST(Masks, TiesPruneTheLowerLayerAndIndexFirst) {
  const std::vector<std::vector<float>> s = {{1.f, 0.5f, 0.5f, 1.f}, {0.5f, 1.f, -0.5f, 1.f}};
  auto m = draw_masks(s, 0.25, PruneScope::Layerwise);  // one per layer
  EXPECT_EQ(m[0], (std::vector<bool>{true, false, true, true}));
  EXPECT_EQ(m[1], (std::vector<bool>{false, true, true, true}));
  m = draw_masks(s, 3.0 / 8.0, PruneScope::Global);  // 3 of the four |0.5|
  EXPECT_EQ(m[0], (std::vector<bool>{true, false, false, true}));
  EXPECT_EQ(m[1], (std::vector<bool>{false, true, true, true}));
}

TEST(Masks, ComparesAbsoluteValues) {
  const std::vector<std::vector<float>> s = {{-3.f, 0.5f, 2.f, -0.1f}};
  const auto m = draw_masks(s, 0.5, PruneScope::Global);
  EXPECT_EQ(m[0], (std::vector<bool>{true, false, true, false}));
}

TEST(Masks, RatioZeroKeepsEverything) {
  const std::vector<std::vector<float>> s = {{0.f, 0.f}, {0.f}};
  for (auto scope : {PruneScope::Layerwise, PruneScope::Global}) EXPECT_EQ(count_kept(draw_masks(s, 0.0, scope)), 3);
}

TEST(Masks, BadInputs) {
  const std::vector<std::vector<float>> s = {{1.f, 2.f}};
  expect_error([&] { draw_masks(s, 1.5, PruneScope::Global); }, {"ratio"});
  expect_error([&] { draw_masks(s, -0.1, PruneScope::Layerwise); }, {"ratio"});
  expect_error([&] { draw_masks(s, std::nan(""), PruneScope::Layerwise); }, {"ratio"});
  expect_error([&] { draw_masks({{1.f}, {}}, 0.5, PruneScope::Layerwise); }, {"layer 1"});
  expect_error([&] { draw_masks({{1.f, std::nanf("")}}, 0.5, PruneScope::Global); }, {"layer 0", "NaN"});
  expect_error([] { parse_enum<PruneScope>("magnitude", "self_pruning_method"); },
               {"self_pruning_method", "magnitude"});
  EXPECT_EQ(parse_enum<PruneScope>("global", "x"), PruneScope::Global);
  EXPECT_EQ(to_string(PruneScope::Layerwise), "layerwise");
}

TEST(MaskDistance, FractionOfDifferingPositions) {
  const LayerMasks a = {{true, true, false, false}, {true, false}};
  const LayerMasks b = {{true, false, false, true}, {true, true}};
  EXPECT_DOUBLE_EQ(mask_distance(a, a), 0.0);
  EXPECT_DOUBLE_EQ(mask_distance(a, b), 3.0 / 6.0);
  EXPECT_DOUBLE_EQ(mask_distance(b, a), 3.0 / 6.0);
  const LayerMasks not_a = {{false, false, true, true}, {false, true}};
  EXPECT_DOUBLE_EQ(mask_distance(a, not_a), 1.0);
  EXPECT_DOUBLE_EQ(mask_distance({}, {}), 0.0);
}

TEST(MaskDistance, ShapesMustAgree) {
  expect_error([] { mask_distance({{true}}, {{true}, {false}}); }, {"layers"});
  expect_error([] { mask_distance({{true}, {true, false}}, {{true}, {true}}); }, {"layer 1"});
}

}  // namespace
}  // namespace earlybert
