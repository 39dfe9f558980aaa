// Pruning masks drawn from slimming-coefficient magnitudes, and the distance between two masks.
//
// EarlyBERT prunes the heads (and, separately, the FFN neurons) with the smallest |coefficient|.
// These are pure functions on host vectors, so they are tested without a model:
//
//   Layerwise  every layer prunes count(n_layer) of its own units.
//   Global     one threshold over the units of all layers: exactly count(total) units are pruned,
//              the smallest |score| first.
//
// count(n) = n − round(n · (1 − ratio)), the official EarlyBERT rule (it keeps round(n·(1−ratio))):
// 0.333 of 8 heads prunes 3, 0.333 of 12 prunes 4, 0.4 of 2048 neurons prunes 819.
// Ties are broken deterministically: among equal |score| the unit of the lower layer, then the lower
// index, is pruned first.
// Every layer keeps at least one unit (a layer with no head or no neuron would be a different
// network). Layerwise, a layer prunes at most n_layer − 1. Globally, a unit whose pruning would empty
// its layer is skipped and the next-smallest unit is taken instead, so the global count stays exact as
// long as it is ≤ total − layers; beyond that every layer keeps exactly one unit (fewer than
// count(total) are pruned).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "earlybert/base/enum_names.h"

namespace earlybert {

/// keep[layer][unit]: true = the unit stays.
using LayerMasks = std::vector<std::vector<bool>>;

/// How units are ranked: within each layer, or across all layers (the keys self_pruning_method and
/// inter_pruning_method; spelled "layerwise" and "global").
enum class PruneScope { Layerwise, Global };
template <>
struct EnumNames<PruneScope> {
  static constexpr const char* what = "pruning method";
  static constexpr std::array<EnumName<PruneScope>, 2> values{
      {{PruneScope::Layerwise, "layerwise"}, {PruneScope::Global, "global"}}};
};
inline std::string to_string(PruneScope scope) { return enum_to_string(scope); }

/// What a draw removes: the fraction of heads and FFN neurons, and how each is ranked. The official
/// EarlyBERT settings are the defaults (a third of the heads in every layer, 40% of the neurons
/// across all layers).
struct PruningRatios {
  double heads = 1.0 / 3.0;                        ///< self_pruning_ratio
  PruneScope heads_scope = PruneScope::Layerwise;  ///< self_pruning_method
  double ffn = 0.4;                                ///< inter_pruning_ratio
  PruneScope ffn_scope = PruneScope::Global;       ///< inter_pruning_method
};

/// Units pruned from a layer of `n` at `ratio` (layerwise rule): min(n − round(n·(1 − ratio)), n − 1),
/// the official EarlyBERT count (0.333 of 8 heads prunes 3; 0.4 of 2048 neurons prunes 819).
int64_t units_to_prune(int64_t n, double ratio);

/// Masks from per-layer scores (compared by absolute value). Error when ratio is outside [0,1] or
/// NaN, a layer is empty, or a score is NaN.
LayerMasks draw_masks(const std::vector<std::vector<float>>& scores, double ratio, PruneScope scope);

/// Fraction of positions at which `a` and `b` differ (0 = identical, 1 = complementary); 0 for two
/// empty masks. Error when the layer counts or layer sizes differ.
double mask_distance(const LayerMasks& a, const LayerMasks& b);

/// Units kept over all layers.
int64_t count_kept(const LayerMasks& masks);

}  // namespace earlybert
