// Mask drawing (layerwise / global) with exact counts, deterministic ties and a one-unit floor.
#include "earlybert/prune/masks.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include "earlybert/base/error.h"

namespace earlybert {

namespace {

// The official EarlyBERT code keeps round(n * (1 - ratio)) units, so "1/3" written as 0.333 still
// prunes a third of 8 or 12 heads (3 and 4), where floor(0.333 * n) would prune 2 and 3.
int64_t floor_count(int64_t n, double ratio) {
  const auto kept = static_cast<int64_t>(std::llround(static_cast<double>(n) * (1.0 - ratio)));
  return n - kept;
}

void check_inputs(const std::vector<std::vector<float>>& scores, double ratio) {
  if (!(ratio >= 0.0 && ratio <= 1.0)) fail("pruning ratio", "must be in [0, 1], got " + std::to_string(ratio));
  for (size_t l = 0; l < scores.size(); ++l) {
    if (scores[l].empty()) fail("pruning scores", "layer " + std::to_string(l) + " has no units");
    for (size_t i = 0; i < scores[l].size(); ++i) {
      if (std::isnan(scores[l][i])) {
        fail("pruning scores", "layer " + std::to_string(l) + " unit " + std::to_string(i) + " is NaN");
      }
    }
  }
}

// Indices of `s` ordered by (|s|, index): the order in which units are pruned.
std::vector<size_t> prune_order(const std::vector<float>& s) {
  std::vector<size_t> order(s.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return std::fabs(s[a]) < std::fabs(s[b]); });
  return order;
}

}  // namespace

int64_t units_to_prune(int64_t n, double ratio) { return std::max<int64_t>(0, std::min(floor_count(n, ratio), n - 1)); }

LayerMasks draw_masks(const std::vector<std::vector<float>>& scores, double ratio, PruneScope scope) {
  check_inputs(scores, ratio);
  LayerMasks keep;
  for (const auto& s : scores) keep.emplace_back(s.size(), true);

  if (scope == PruneScope::Layerwise) {
    for (size_t l = 0; l < scores.size(); ++l) {
      const auto order = prune_order(scores[l]);
      const int64_t k = units_to_prune(static_cast<int64_t>(scores[l].size()), ratio);
      for (int64_t i = 0; i < k; ++i) keep[l][order[static_cast<size_t>(i)]] = false;
    }
    return keep;
  }

  // Global: all units in (|score|, layer, index) order; skip a unit that would empty its layer.
  struct Unit {
    float score;
    size_t layer, index;
  };
  std::vector<Unit> units;
  for (size_t l = 0; l < scores.size(); ++l) {
    for (size_t i = 0; i < scores[l].size(); ++i) units.push_back({std::fabs(scores[l][i]), l, i});
  }
  std::sort(units.begin(), units.end(), [](const Unit& a, const Unit& b) {
    return std::tie(a.score, a.layer, a.index) < std::tie(b.score, b.layer, b.index);
  });
  const int64_t target = floor_count(static_cast<int64_t>(units.size()), ratio);
  std::vector<int64_t> left(scores.size());
  for (size_t l = 0; l < scores.size(); ++l) left[l] = static_cast<int64_t>(scores[l].size());
  int64_t pruned = 0;
  for (const auto& u : units) {
    if (pruned >= target) break;
    if (left[u.layer] <= 1) continue;  // the layer's last unit stays
    keep[u.layer][u.index] = false;
    --left[u.layer];
    ++pruned;
  }
  return keep;
}

double mask_distance(const LayerMasks& a, const LayerMasks& b) {
  if (a.size() != b.size()) {
    fail("mask distance", "masks have " + std::to_string(a.size()) + " and " + std::to_string(b.size()) + " layers");
  }
  int64_t total = 0, differ = 0;
  for (size_t l = 0; l < a.size(); ++l) {
    if (a[l].size() != b[l].size()) {
      fail("mask distance", "layer " + std::to_string(l) + " has " + std::to_string(a[l].size()) + " and " +
                                std::to_string(b[l].size()) + " units");
    }
    for (size_t i = 0; i < a[l].size(); ++i) differ += a[l][i] != b[l][i];
    total += static_cast<int64_t>(a[l].size());
  }
  return total == 0 ? 0.0 : static_cast<double>(differ) / static_cast<double>(total);
}

int64_t count_kept(const LayerMasks& masks) {
  int64_t n = 0;
  for (const auto& m : masks) n += std::count(m.begin(), m.end(), true);
  return n;
}

}  // namespace earlybert
