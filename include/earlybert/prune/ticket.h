// The ticket: what EarlyBERT's draw decided, written as ticket.json, and the pure functions that
// compute it from slimming coefficients.
//
// During the search EarlyBirdSearch (early_bird_search.h) computes the current masks every check_steps updates
// (current_masks(): the heads with the smallest |coefficient| are dropped per self_pruning_ratio /
// self_pruning_method, the FFN neurons per inter_pruning_ratio / inter_pruning_method), records the
// distances (early_bird.h) and a coefficient snapshot; when the draw rule fires (draw_rule.h) the
// masks of that moment become the PruningPlan. ticket.json keeps the whole story, so a run can be
// inspected and the ticket applied to another run (`--ticket ticket.json`, the training key `ticket`):
//
//   {"format": "earlybert.ticket", "version": 1,
//    "draw_step": 60, "mode": "early_bird", "reason": "early_bird",   // to_string(TicketMode),
//                                                                       // to_string(DrawReason)
//    "self_pruning_ratio": 0.333, "self_pruning_method": "layerwise",
//    "inter_pruning_ratio": 0.4, "inter_pruning_method": "global",
//    "ticket_check_steps": 20, "ticket_threshold_heads": 0.1, "ticket_threshold_ffn": 0.1,
//    "ticket_min_swaps": 1, "ticket_window": 4, "max_search_steps": 400,
//    "random_ticket_seed": 1,
//    "kept_heads_per_layer": [8, 5, ...], "kept_neurons_per_layer": [1203, 1311, ...],
//    "plan": {... PruningPlan JSON: kept head and neuron indices per layer ...},
//    "distance_history": [{"step": 20, "dist_heads": -1, "dist_ffn": -1, "window_max_heads": -1,
//                          "window_max_ffn": -1, "drawn": false}, ...],
//    "coefficient_snapshots": [{"step": 20, "kept_heads": [...], "kept_neurons": [...],
//                               "heads": [[|c|, ...], ...], "ffn": [[|c|, ...], ...]}, ...]}
//
// Snapshot size: the head coefficients (a few hundred numbers) are kept at every check; the FFN
// coefficients (36864 for BERT-base) only at the draw, other checks keep their per-layer kept counts.
// While the search runs the same structure, not yet drawn (draw_step -1, reason not_yet), travels
// in every checkpoint, so a resumed search keeps its snapshots.
//
// The random-ticket baseline keeps, per layer, the number of heads and neurons the layerwise rule
// would keep (units_to_prune() per layer, masks.h), chosen at random with random_ticket_seed: with all
// coefficients equal at the start there is no meaningful global ordering to copy counts from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "earlybert/model/bert_config.h"
#include "earlybert/model/slimming.h"
#include "earlybert/prune/early_bird.h"
#include "earlybert/prune/masks.h"
#include "earlybert/prune/pruning_plan.h"
#include "earlybert/prune/ticket_options.h"

namespace earlybert {

/// |coefficients| at one check.
struct CoefficientSnapshot {
  int64_t step = 0;
  std::vector<int64_t> kept_heads;        ///< heads the masks of this step keep, per layer
  std::vector<int64_t> kept_neurons;      ///< FFN neurons the masks of this step keep, per layer
  std::vector<std::vector<float>> heads;  ///< |c_head| per layer
  std::vector<std::vector<float>> ffn;    ///< |c_ffn| per layer; only in the snapshot of the draw
  bool operator==(const CoefficientSnapshot& o) const {
    return step == o.step && kept_heads == o.kept_heads && kept_neurons == o.kept_neurons && heads == o.heads &&
           ffn == o.ffn;
  }
};

struct Ticket {
  int64_t draw_step = -1;                   ///< optimizer updates before the draw; -1 while searching
  TicketMode mode = TicketMode::EarlyBird;  ///< ticket_mode of the run that drew it
  DrawReason reason = DrawReason::NotYet;
  double self_pruning_ratio = 0;
  PruneScope self_pruning_method = PruneScope::Layerwise;
  double inter_pruning_ratio = 0;
  PruneScope inter_pruning_method = PruneScope::Global;
  int64_t ticket_check_steps = 0;
  double ticket_threshold_heads = 0;
  double ticket_threshold_ffn = 0;
  int64_t ticket_min_swaps = 0;
  int64_t ticket_window = 0;
  int64_t max_search_steps = 0;  ///< the resolved bound (0 = none)
  int64_t random_ticket_seed = 0;
  PruningPlan plan;  ///< empty while searching
  std::vector<EarlyBirdRecord> distance_history;
  std::vector<CoefficientSnapshot> coefficient_snapshots;

  /// The search settings of `options` (ratios, methods, check steps, threshold, window, seed), not drawn.
  static Ticket for_options(const TicketOptions& options, int64_t resolved_max_search_steps);

  bool drawn() const { return draw_step >= 0; }
  std::vector<int64_t> kept_heads_per_layer() const;
  std::vector<int64_t> kept_neurons_per_layer() const;

  std::string to_json() const;
  /// Parses ticket.json text; errors name `source` and the key. A drawn ticket must carry a plan.
  static Ticket from_json(const std::string& text, const std::string& source);
  void save(const std::string& path) const;
  static Ticket load(const std::string& path);
  /// load() that also requires a drawn ticket (for `--ticket`); Error naming the file otherwise.
  static Ticket load_drawn(const std::string& path);

  bool operator==(const Ticket& other) const;
};

/// The masks of the current coefficient magnitudes, with the run's ratios and methods.
struct TicketMasks {
  LayerMasks heads;
  LayerMasks ffn;
};
TicketMasks current_masks(const SlimmingScores& scores, const PruningRatios& ratios);

/// The snapshot of one check (ffn scores kept only when `with_ffn`).
CoefficientSnapshot make_snapshot(int64_t step, const SlimmingScores& scores, const TicketMasks& masks, bool with_ffn);

/// The random-ticket baseline for a model of `config` (see above), seeded by `seed` (random_ticket_seed).
PruningPlan random_ticket_plan(const BertConfig& config, const PruningRatios& ratios, uint64_t seed);

/// True when `config` already has exactly the shapes `plan` produces from an unpruned model (the
/// model was pruned by this ticket before, e.g. a checkpoint of the run that drew it): the number of
/// kept heads and neurons per layer match, and Hugging Face's pruned_heads lists the removed heads.
bool already_pruned_by(const BertConfig& config, const PruningPlan& plan);

}  // namespace earlybert
