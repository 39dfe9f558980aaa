// EarlyBirdSearch — EarlyBERT's draw as one object: record the masks while the slimming coefficients
// learn, decide when the ticket is drawn, and prune the model by it.
//
// The trainer uses it, and so can a user's own C++ loop (examples/own_loop.cpp):
//
//   EarlyBirdSearch search(ticket_options, updates_per_epoch);
//   search.keep_rewind_weights(model);              // before the first update (rewind initial)
//   for (int64_t step = 0;; ++step) {
//     if (search.after_update(step, model).drew()) {  // the one visible draw call
//       save(search.ticket().to_json());           // ticket.json
//       search.prune(model);                       // rewind + physical pruning
//       optimizer = make_optimizer(...);           // the shapes changed: fresh optimizer state
//     }
//     ... one optimizer update (loss + L1 on the coefficients while !search.drawn()) ...
//   }
//
// after_update(step) is called after every update (step = updates done) and once before the first
// (step 0, where the random mode draws). On a check step (draw_rule.h) it computes the masks of the
// current coefficient magnitudes with the run's ratios (ticket.h: current_masks), feeds them to the
// early-bird detector (early_bird.h) and keeps a coefficient snapshot; then it asks the draw rule —
// the one place the draw is decided. Drawing fixes the ticket: the plan (the masks of that moment, or
// a random plan for the random baseline), the reason, the step, the distance history and the
// snapshot of the draw with the FFN coefficients. The model is not changed until prune().
//
// Rewind: with rewind initial, efficient training starts from the weights from before the search
// (the official EarlyBERT and lottery-ticket choice). keep_rewind_weights() keeps a CPU copy of them;
// prune() copies them back into the model before removing the units. A search resumed from a
// checkpoint rebuilds that copy from a model made with the run's seed, then restore()s its state.
#pragma once

#include <torch/ordered_dict.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "earlybert/model/any_bert_model.h"
#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/draw_rule.h"
#include "earlybert/prune/early_bird.h"
#include "earlybert/prune/ticket.h"
#include "earlybert/prune/ticket_options.h"

namespace earlybert {

/// What one after_update() call found.
struct SearchCheck {
  std::optional<EarlyBirdRecord> observed;  ///< the mask check of this step, if it was a check step
  DrawReason drawn = DrawReason::NotYet;    ///< why the ticket was drawn now; NotYet = not drawn now
  bool drew() const { return drawn != DrawReason::NotYet; }
};

class EarlyBirdSearch {
 public:
  /// `updates_per_epoch` resolves fixed_fraction and a max_search_steps of -1. Errors name the key.
  EarlyBirdSearch(TicketOptions options, int64_t updates_per_epoch);

  const TicketOptions& options() const { return options_; }
  const DrawRule& rule() const { return rule_; }
  /// The mode has a search phase (coefficients + L1 before the draw).
  bool searches() const { return options_.searches(); }
  /// The mode draws a ticket at all (everything but none).
  bool draws() const { return options_.mode != TicketMode::None; }
  bool drawn() const { return ticket_.drawn(); }

  /// Keeps a CPU copy of the model's parameters and buffers as the rewind target (rewind initial).
  void keep_rewind_weights(const AnyBertModel& model);
  bool has_rewind_weights() const { return !rewind_weights_.is_empty(); }

  /// The check after `step` optimizer updates (0 = before the first). Does nothing once drawn.
  SearchCheck after_update(int64_t step, const AnyBertModel& model);

  /// Rewinds (rewind initial, when rewind weights are kept) and physically prunes `model` by the
  /// drawn ticket. Error when nothing was drawn. The parameter shapes change: rebuild the optimizer.
  PruneReport prune(AnyBertModel& model) const;

  /// ticket.json: the drawn ticket, or the search so far (settings, distance history, snapshots).
  Ticket ticket() const;
  const EarlyBirdDetector& detector() const { return detector_; }

  /// One line for logs: the step, what decided the draw and the mask distances of that moment.
  std::string draw_summary() const;

  /// Continues a search saved in a checkpoint (trainer_state.json's detector, the ticket in progress).
  void restore(EarlyBirdDetector detector, Ticket ticket_in_progress);

 private:
  void draw(int64_t step, DrawReason why, const AnyBertModel& model, const std::optional<TicketMasks>& checked);

  TicketOptions options_;
  DrawRule rule_;
  EarlyBirdDetector detector_;
  Ticket ticket_;
  torch::OrderedDict<std::string, torch::Tensor> rewind_weights_;
};

}  // namespace earlybert
