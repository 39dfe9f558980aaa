// IMP's round sizes, round masks and plan composition — see include/earlybert/prune/imp.h.
#include "earlybert/prune/imp.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "earlybert/base/error.h"

namespace earlybert {

std::vector<int64_t> imp_kept_per_round(int64_t n, double final_ratio, int64_t rounds, bool layerwise) {
  if (rounds < 1) fail("imp_rounds", "must be >= 1, got " + std::to_string(rounds));
  if (n < 1) fail("imp rounds", "no units to prune");
  if (!(final_ratio >= 0.0 && final_ratio < 1.0)) fail("pruning ratio", "must be in [0, 1)");
  const int64_t final_kept =
      layerwise
          ? n - units_to_prune(n, final_ratio)
          : std::max<int64_t>(1, static_cast<int64_t>(std::llround(static_cast<double>(n) * (1.0 - final_ratio))));
  std::vector<int64_t> kept;
  int64_t previous = n;
  for (int64_t r = 1; r <= rounds; ++r) {
    int64_t k = final_kept;
    if (r < rounds) {
      const double fraction = std::pow(1.0 - final_ratio, static_cast<double>(r) / static_cast<double>(rounds));
      k = static_cast<int64_t>(std::llround(static_cast<double>(n) * fraction));
    }
    k = std::clamp<int64_t>(k, final_kept, previous);
    kept.push_back(k);
    previous = k;
  }
  return kept;
}

LayerMasks keep_best_units(const std::vector<std::vector<float>>& scores, const std::vector<int64_t>& kept,
                           PruneScope scope) {
  // draw_masks prunes n − round(n·(1 − ratio)) units; ratio = pruned/n makes that exactly `pruned`.
  auto ratio_for = [](int64_t n, int64_t keep, const std::string& where) {
    if (keep < 1 || keep > n)
      fail("imp round", where + ": cannot keep " + std::to_string(keep) + " of " + std::to_string(n) + " units");
    return static_cast<double>(n - keep) / static_cast<double>(n);
  };
  if (scope == PruneScope::Layerwise) {
    if (kept.size() != scores.size())
      fail("imp round", std::to_string(kept.size()) + " counts for " + std::to_string(scores.size()) + " layers");
    LayerMasks masks;
    for (size_t l = 0; l < scores.size(); ++l) {
      const double ratio = ratio_for(static_cast<int64_t>(scores[l].size()), kept[l], "layer " + std::to_string(l));
      masks.push_back(draw_masks({scores[l]}, ratio, PruneScope::Layerwise).front());
    }
    return masks;
  }
  if (kept.size() != 1) fail("imp round", "a global round takes one count");
  int64_t total = 0;
  for (const auto& s : scores) total += static_cast<int64_t>(s.size());
  return draw_masks(scores, ratio_for(total, kept[0], "all layers"), PruneScope::Global);
}

PruningPlan compose_plans(const PruningPlan& first, const PruningPlan& second) {
  if (first.layers.size() != second.layers.size())
    fail("compose plans", "the plans have " + std::to_string(first.layers.size()) + " and " +
                              std::to_string(second.layers.size()) + " layers");
  PruningPlan out;
  for (size_t l = 0; l < first.layers.size(); ++l) {
    const LayerPlan& a = first.layers[l];
    const LayerPlan& b = second.layers[l];
    const std::string where = "layer " + std::to_string(l);
    if (b.num_heads != static_cast<int64_t>(a.kept_heads.size()) ||
        b.intermediate_size != static_cast<int64_t>(a.kept_neurons.size()))
      fail("compose plans", where + ": the second plan does not number what the first keeps");
    LayerPlan c;
    c.num_heads = a.num_heads;
    c.intermediate_size = a.intermediate_size;
    for (int64_t h : b.kept_heads) c.kept_heads.push_back(a.kept_heads.at(static_cast<size_t>(h)));
    for (int64_t n : b.kept_neurons) c.kept_neurons.push_back(a.kept_neurons.at(static_cast<size_t>(n)));
    out.layers.push_back(std::move(c));
  }
  return out;
}

}  // namespace earlybert
