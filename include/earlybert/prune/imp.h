// Iterative magnitude pruning (IMP) with rewinding — the pure parts: how many units each round keeps,
// which units a round keeps, and the plan of all rounds together.
//
// Frankle & Carbin's lottery-ticket procedure on EarlyBERT's structured units: train, prune the
// lowest-scoring heads and FFN neurons (prune/unit_scores.h), rewind the survivors (prune/rewind.h),
// train again; R rounds reach the final ratios. The fraction kept shrinks geometrically, as in the
// lottery-ticket papers (the same fraction of the survivors goes in every round):
//
//   kept after round r of R = round(n · (1 − ratio)^(r/R))   for r < R
//   kept after round R      = the one-shot count: n − units_to_prune(n, ratio) per layer (layerwise),
//                             round(n · (1 − ratio)) over all layers (global; prune/masks.h)
//
// so after the last round a ticket has exactly the sizes of an EarlyBERT ticket with the same ratios.
// n is a layer's unit count (layerwise) or the count over all layers (global). Each round keeps the
// highest-scoring units of the current, already pruned model (keep_best_units) with draw_masks' tie
// rule and one-unit floor; the plans of the rounds, each in the numbering of the model it pruned,
// compose into one plan in the original numbering (compose_plans) — the ticket written to ticket.json.
#pragma once

#include <cstdint>
#include <vector>

#include "earlybert/prune/masks.h"
#include "earlybert/prune/pruning_plan.h"

namespace earlybert {

/// Units kept after each of `rounds` rounds (rounds >= 1; Error naming imp_rounds otherwise), from
/// `n` units to the final ratio; `layerwise` selects the one-shot count rule above. Non-increasing,
/// never below 1.
std::vector<int64_t> imp_kept_per_round(int64_t n, double final_ratio, int64_t rounds, bool layerwise);

/// Masks keeping the highest |score| units: `kept[l]` units of layer l (layerwise; kept has one entry
/// per layer) or `kept[0]` units over all layers (global; every layer keeps at least one). Ties and
/// the floor as in draw_masks (prune/masks.h). Error when a count exceeds the units there are.
LayerMasks keep_best_units(const std::vector<std::vector<float>>& scores, const std::vector<int64_t>& kept,
                           PruneScope scope);

/// The plan doing `first` and then `second` (whose indices number the units `first` kept), in the
/// numbering of the model `first` applies to. Error when `second` does not fit what `first` keeps.
PruningPlan compose_plans(const PruningPlan& first, const PruningPlan& second);

}  // namespace earlybert
