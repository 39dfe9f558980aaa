// What an early-bird ticket search is asked to do: the draw mode, the pruning ratios, the detector's
// settings and the rewind — the small option struct of EarlyBirdSearch (early_bird_search.h), the
// draw rule (draw_rule.h) and ticket.json (ticket.h). The trainer fills it from its arguments
// (ticket_options() in train/training_args.h); a user's own loop fills it directly.
//
// Modes (key ticket_mode):
//   early_bird      every check_steps the masks are computed; drawn when the newest masks are within
//                   the threshold (normalized Hamming distance; per kind, never below `min_swaps`
//                   swapped units) of each of the last `window` recorded masks, for heads and FFN both
//                   (early_bird.h). The paper's online rule.
//   fixed_step      drawn after `fixed_step` optimizer updates (official code: slimming_coef_step >= 1).
//   fixed_fraction  drawn after ceil(fraction × updates per epoch) updates (official code:
//                   0 < slimming_coef_step < 1; the official GLUE scripts use 0.2).
//   random          no search: a random ticket with the same head/neuron counts per layer, seeded by
//                   random_seed (the paper's random-pruning baseline).
//   none            dense baseline: no slimming coefficients, no L1, no draw.
// The lottery-ticket lab (docs/TICKETS.md; each a TicketStrategy, prune/ticket_strategy.h):
//   imp             iterative magnitude pruning with rewinding: imp_rounds rounds of imp_round_steps
//                   updates; after each, the lowest-scoring units (ticket_score) go and the survivors are
//                   rewound to their weights after rewind_step updates (prune/imp.h).
//   rigl            structured RigL: a random structure of the target size from the start; every
//                   ticket_check_steps updates the weakest units are dropped and as many inactive ones
//                   with the largest gradient grown (rigl_fraction, cosine-decayed); drawn at
//                   max_search_steps (prune/rigl.h).
//   greedy          greedy forward selection after ticket_step dense updates: units (neurons in groups
//                   of greedy_group_size) added one by one by loss reduction on a probe batch (prune/greedy.h).
//   reinit          the control: the structure of a given ticket (key `ticket`) with freshly initialised
//                   weights (seeded by random_ticket_seed; prune/reinit.h).
// In every searching mode `max_search_steps` bounds the search: reaching it draws anyway and the
// ticket says so (reason max_search_steps). -1 = the updates of the first epoch (the official search
// runs one epoch), 0 = unbounded.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "earlybert/base/enum_names.h"
#include "earlybert/prune/masks.h"

namespace earlybert {

enum class TicketMode { EarlyBird, FixedStep, FixedFraction, Random, None, Imp, Rigl, Greedy, Reinit };
template <>
struct EnumNames<TicketMode> {
  static constexpr const char* what = "ticket mode";
  static constexpr std::array<EnumName<TicketMode>, 9> values{{{TicketMode::EarlyBird, "early_bird"},
                                                               {TicketMode::FixedStep, "fixed_step"},
                                                               {TicketMode::FixedFraction, "fixed_fraction"},
                                                               {TicketMode::Random, "random"},
                                                               {TicketMode::None, "none"},
                                                               {TicketMode::Imp, "imp"},
                                                               {TicketMode::Rigl, "rigl"},
                                                               {TicketMode::Greedy, "greedy"},
                                                               {TicketMode::Reinit, "reinit"}}};
};
inline std::string to_string(TicketMode mode) { return enum_to_string(mode); }

/// Why (or whether) the ticket was drawn; written into ticket.json ("reason"), trainer_state.json and
/// train_results.json ("draw_reason").
enum class DrawReason {
  NotYet,       ///< still searching
  EarlyBird,    ///< the early-bird rule held
  FixedStep,    ///< fixed_step / fixed_fraction reached
  SearchBound,  ///< max_search_steps reached before the rule held ("drawn by bound")
  Random,       ///< the random baseline, drawn before the first update
  Given,        ///< a ticket.json of another run was applied (key `ticket`), nothing was searched
  PrunedModel,  ///< the model was pruned before this run (e.g. in pre-training); no new search
  ImpRounds,    ///< imp: the last pruning round ended
  Rigl,         ///< rigl: the structure stopped changing (max_search_steps)
  Greedy,       ///< greedy: the forward selection reached the target sizes
  Reinit,       ///< reinit: a given ticket's structure, freshly initialised
};
template <>
struct EnumNames<DrawReason> {
  static constexpr const char* what = "draw reason";
  static constexpr std::array<EnumName<DrawReason>, 11> values{{{DrawReason::NotYet, "not_yet"},
                                                                {DrawReason::EarlyBird, "early_bird"},
                                                                {DrawReason::FixedStep, "fixed_step"},
                                                                {DrawReason::SearchBound, "max_search_steps"},
                                                                {DrawReason::Random, "random"},
                                                                {DrawReason::Given, "ticket"},
                                                                {DrawReason::PrunedModel, "pruned_model"},
                                                                {DrawReason::ImpRounds, "imp"},
                                                                {DrawReason::Rigl, "rigl"},
                                                                {DrawReason::Greedy, "greedy"},
                                                                {DrawReason::Reinit, "reinit"}}};
};
inline std::string to_string(DrawReason reason) { return enum_to_string(reason); }

/// The weights efficient training starts from: those from before the search (the official
/// EarlyBERT and lottery-ticket choice), or those the search reached at the draw.
enum class RewindMode { Initial, None };
template <>
struct EnumNames<RewindMode> {
  static constexpr const char* what = "rewind mode";
  static constexpr std::array<EnumName<RewindMode>, 2> values{
      {{RewindMode::Initial, "initial"}, {RewindMode::None, "none"}}};
};
inline std::string to_string(RewindMode mode) { return enum_to_string(mode); }

/// How imp ranks the units it prunes (key ticket_score): the |slimming coefficient| learnt with the L1
/// term (EarlyBERT's score), or the weight magnitude of the unit's slices (prune/unit_scores.h).
enum class UnitScore { Slimming, Magnitude };
template <>
struct EnumNames<UnitScore> {
  static constexpr const char* what = "unit score";
  static constexpr std::array<EnumName<UnitScore>, 2> values{
      {{UnitScore::Slimming, "slimming"}, {UnitScore::Magnitude, "magnitude"}}};
};
inline std::string to_string(UnitScore score) { return enum_to_string(score); }

struct TicketOptions {
  TicketMode mode = TicketMode::EarlyBird;  ///< ticket_mode
  PruningRatios ratios;                     ///< self/inter_pruning_ratio and _method
  int64_t check_steps = 20;                 ///< ticket_check_steps: masks recorded every N updates
  double threshold_heads = 0.1;             ///< ticket_threshold_heads (early_bird)
  double threshold_ffn = 0.1;               ///< ticket_threshold_ffn (early_bird)
  int64_t min_swaps = 1;                    ///< ticket_min_swaps (early_bird; early_bird.h)
  int64_t window = 4;                       ///< ticket_window (early_bird)
  int64_t fixed_step = 0;                   ///< ticket_step (fixed_step)
  double fraction = 0.2;                    ///< ticket_fraction (fixed_fraction)
  int64_t max_search_steps = -1;            ///< -1 = one epoch, 0 = unbounded
  int64_t random_seed = 1;                  ///< random_ticket_seed (random)
  RewindMode rewind = RewindMode::Initial;  ///< rewind
  // The lab's strategies (imp, rigl, greedy and reinit also use check_steps, fixed_step,
  // max_search_steps and random_seed as the mode list above says).
  UnitScore score = UnitScore::Slimming;  ///< ticket_score (imp)
  int64_t imp_rounds = 2;                 ///< imp_rounds: pruning rounds to the final ratios
  int64_t imp_round_steps = -1;           ///< imp_round_steps: updates per round; -1 = one epoch
  int64_t rewind_step = 0;                ///< rewind_step (imp): survivors rewind to the weights after N updates
  double rigl_fraction = 0.3;             ///< rigl_fraction: α, the fraction of a layer's units updated first
  int64_t greedy_group_size = 1;          ///< greedy_group_size: FFN neurons added together

  /// True for the modes with a search phase (early_bird, fixed_step, fixed_fraction).
  bool searches() const {
    return mode == TicketMode::EarlyBird || mode == TicketMode::FixedStep || mode == TicketMode::FixedFraction;
  }
};

}  // namespace earlybert
