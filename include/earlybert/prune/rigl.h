// Structured RigL (Evci et al., "Rigging the Lottery") — the pure parts: the update fraction, how many
// units move, and which units are dropped and grown.
//
// The network trains at the target size from the start: per layer, the heads and FFN neurons of a
// random structure with the ticket's counts are active (prune/ticket.h: random_ticket_plan), the others
// are switched off through their slimming coefficients (prune/unit_scores.h). Every ticket_check_steps
// (ΔT) updates, in every layer and separately for heads and neurons:
//
//   fraction(t) = α/2 · (1 + cos(π·t / T_end))               cosine decay, 0 from T_end on
//   n           = min(floor(fraction · active), inactive)     units that move; the active count is fixed
//   drop        the n active units with the smallest weight magnitude (unit_scores.h: magnitude)
//   grow        the n units inactive before the drop with the largest |∂loss/∂c| (the gradient of the
//               loss on a probe batch with respect to the unit's coefficient, taken at c = 0: how much
//               switching the unit on would change the loss first)
//
// Grown units get zeroed output slices (zero_unit_outputs) before they are switched on, so the function
// is unchanged at the update, as RigL initialises new connections to zero. Units just dropped are not
// grown back in the same update (RigL's reference code lets them regrow with zero weights: a reset; for
// whole units that only churns). Ties: the lower index is dropped first and grown first. T_end is
// max_search_steps (resolved; ticket_options.h); at T_end the active structure is drawn as the ticket
// and physically pruned, so the efficient phase runs at the ticket's real size.
#pragma once

#include <cstdint>
#include <vector>

namespace earlybert {

/// α/2 · (1 + cos(π·step/end_step)) for 0 <= step < end_step; 0 from end_step on. Error when α is not in
/// (0, 1] (naming rigl_fraction) or end_step < 1.
double rigl_update_fraction(int64_t step, double alpha, int64_t end_step);

/// min(floor(fraction · active), inactive).
int64_t rigl_update_count(int64_t active, int64_t inactive, double fraction);

/// One layer's update.
struct DropGrow {
  std::vector<int64_t> dropped;  ///< ascending
  std::vector<int64_t> grown;    ///< ascending
};

/// The units of one layer that move: n = rigl_update_count(active, inactive, fraction). `magnitude` and
/// `gradient` hold one score per unit (compared by absolute value). Error when the sizes differ.
DropGrow rigl_drop_grow(const std::vector<bool>& active, const std::vector<float>& magnitude,
                        const std::vector<float>& gradient, double fraction);

/// `active` after the update.
std::vector<bool> apply_drop_grow(std::vector<bool> active, const DropGrow& change);

}  // namespace earlybert
