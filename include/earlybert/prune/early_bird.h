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

class EarlyBirdDetector {
 public:
  /// threshold >= 0, window >= 1 (Error naming ticket_threshold / ticket_window otherwise).
  EarlyBirdDetector(double threshold = 0.1, int64_t window = 4);

  /// Records the masks computed after `step` updates; returns true when the ticket is drawn now (or
  /// was drawn earlier: once drawn, it stays drawn at the first draw step). Steps must increase, and
  /// the masks must keep their shapes (mask_distance's Error otherwise).
  bool observe(int64_t step, const LayerMasks& heads, const LayerMasks& ffn);

  bool drawn() const { return draw_step_ >= 0; }
  /// Step of the first observation at which the rule held; -1 when not drawn.
  int64_t draw_step() const { return draw_step_; }
  double threshold() const { return threshold_; }
  int64_t window() const { return window_; }
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
  double threshold_;
  int64_t window_;
  int64_t draw_step_ = -1;
  std::deque<Entry> recent_;  ///< the last `window` recorded masks, oldest first
  std::vector<EarlyBirdRecord> history_;
};

}  // namespace earlybert
