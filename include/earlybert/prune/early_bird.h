// The early-bird detector: decides when the pruning masks have stopped changing.
//
// EarlyBERT (Chen et al. 2021), following Early-Bird tickets (You et al. 2020): during the search the
// trainer computes the head mask and the FFN mask from the slimming coefficients every
// ticket_check_steps updates and feeds them here with observe(). Each call is one *recorded* mask
// pair. The detector keeps the previous `window` recorded pairs and reports the ticket as drawn when
//
//     for each of the previous `window` recorded pairs P:
//         hamming(newest.heads, P.heads) <= threshold  and  hamming(newest.ffn, P.ffn) <= threshold
//
// i.e. the newest masks are within `threshold` of every one of the last `window` recorded masks, for
// heads and FFN both. At least `window` previous masks are needed, so the earliest possible draw is
// at the (window + 1)-th observation. `hamming` is the normalized Hamming distance over all layers
// flattened, differing entries / total entries in [0, 1] (prune/masks.h: mask_distance). A threshold
// of 0 asks for identical masks.
//
// Model size. One swapped unit (one kept unit pruned, one pruned unit kept) changes 2 entries, so the
// smallest non-zero distance of a kind with n entries is 2/n: 0.125 for BERT-mini's 16 heads, 0.014 for
// BERT-base's 144, 0.00005 for BERT-base's 36,864 FFN neurons. A single threshold therefore means "never"
// for the heads of a small model and "thousands of neurons" for a large one. The criterion has a
// threshold per kind (heads, FFN) and a floor of `min_swaps` swapped units per kind:
//
//     allowed(kind) = max(threshold(kind), 2 * min_swaps / entries(kind))
//
// The trainer uses min_swaps = 1 (key ticket_min_swaps): one head or neuron going back and forth is
// noise at every size, and the rule can fire on BERT-mini. min_swaps = 0 is the plain threshold rule.
//
// The detector is pure (no tensors, no model): masks are plain per-layer bool vectors (LayerMasks, as
// draw_masks() in prune/masks.h returns them), so the rule is tested on constructed trajectories. Its state (history
// and the masks in the window) round-trips through JSON for trainer_state.json, so resuming during the search continues
// exactly.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "earlybert/prune/masks.h"

namespace earlybert {

/// One observation.
struct EarlyBirdRecord {
  int64_t step = 0;
  double dist_heads = -1;  ///< to the previous recorded mask; -1 for the first observation
  double dist_ffn = -1;
  double window_max_heads = -1;  ///< max distance to the previous `window` masks; -1 until there are `window`
  double window_max_ffn = -1;
  bool drawn = false;  ///< the rule held at this observation

  bool operator==(const EarlyBirdRecord& o) const {
    return step == o.step && dist_heads == o.dist_heads && dist_ffn == o.dist_ffn &&
           window_max_heads == o.window_max_heads && window_max_ffn == o.window_max_ffn && drawn == o.drawn;
  }
};

/// When masks count as "stopped changing" (see above).
struct EarlyBirdCriterion {
  double threshold_heads = 0.1;  ///< ticket_threshold_heads
  double threshold_ffn = 0.1;    ///< ticket_threshold_ffn
  int64_t min_swaps = 0;         ///< ticket_min_swaps: this many swapped units per kind always pass
  bool operator==(const EarlyBirdCriterion& o) const {
    return threshold_heads == o.threshold_heads && threshold_ffn == o.threshold_ffn && min_swaps == o.min_swaps;
  }
};

/// The distance allowed for a kind whose masks have `entries` entries: max(threshold, 2·min_swaps/entries).
double allowed_mask_distance(double threshold, int64_t min_swaps, int64_t entries);

class EarlyBirdDetector {
 public:
  /// threshold >= 0, window >= 1 (Error naming ticket_threshold / ticket_window otherwise). The same
  /// threshold for both kinds, no floor.
  EarlyBirdDetector(double threshold = 0.1, int64_t window = 4);
  /// Thresholds >= 0 (Error naming ticket_threshold_heads / _ffn), min_swaps >= 0, window >= 1.
  EarlyBirdDetector(EarlyBirdCriterion criterion, int64_t window);

  /// Records the masks computed after `step` updates; returns true when the ticket is drawn now (or
  /// was drawn earlier: once drawn, it stays drawn at the first draw step). Steps must increase, and
  /// the masks must keep their shapes (mask_distance's Error otherwise).
  bool observe(int64_t step, const LayerMasks& heads, const LayerMasks& ffn);

  bool drawn() const { return draw_step_ >= 0; }
  /// Step of the first observation at which the rule held; -1 when not drawn.
  int64_t draw_step() const { return draw_step_; }
  const EarlyBirdCriterion& criterion() const { return criterion_; }
  int64_t window() const { return window_; }
  /// The distances allowed at the last observation (from its mask sizes); -1 before the first.
  double allowed_heads() const { return allowed_heads_; }
  double allowed_ffn() const { return allowed_ffn_; }
  /// Every observation, in order (the "distance history" of ticket.json).
  const std::vector<EarlyBirdRecord>& history() const { return history_; }

  /// JSON text of the full state, and back (errors name `source` and the key).
  std::string to_json() const;
  static EarlyBirdDetector from_json(const std::string& text, const std::string& source);

 private:
  struct Entry {
    int64_t step;
    LayerMasks heads;
    LayerMasks ffn;
  };
  EarlyBirdCriterion criterion_;
  int64_t window_;
  double allowed_heads_ = -1;
  double allowed_ffn_ = -1;
  int64_t draw_step_ = -1;
  std::deque<Entry> recent_;  ///< the last `window` recorded masks, oldest first
  std::vector<EarlyBirdRecord> history_;
};

}  // namespace earlybert
