// When the ticket is drawn: the one place the trainer asks, after every optimizer update.
//
// `step` below always counts completed optimizer updates (1 after the first update). The trainer,
// after update `step`:
//   if (rule.is_check_step(step)) { masks = ...; stable = detector.observe(step, heads, ffn); }
//   DrawReason why = rule.decide(step, stable);   // stable = false when nothing was observed
//   if (why != DrawReason::NotYet) draw(why);
// and, before the first update, asks rule.decide(0, false) once: the random mode draws there.
//
// Modes: see ticket_options.h. fixed_fraction draws at fixed_fraction_step(fraction, updates per
// epoch); the official code uses round(), ceil is used here so that the draw never comes before the
// requested fraction, and at least 1. In the three searching modes the search bound also applies: at
// step == max_search_steps (resolved: -1 = updates in the first epoch, 0 = no bound) the ticket is
// drawn anyway with DrawReason::SearchBound. Masks are recorded every check_steps in every searching
// mode, so ticket.json has the distance history (and coefficient snapshots) whatever decided the draw.
#pragma once

#include <cstdint>

#include "earlybert/prune/ticket_options.h"

namespace earlybert {

/// max(1, ceil(fraction * updates_per_epoch)).
int64_t fixed_fraction_step(double fraction, int64_t updates_per_epoch);

/// The search bound in updates: -1 → updates_per_epoch, 0 → 0 (no bound), N → N.
int64_t resolve_max_search_steps(int64_t max_search_steps, int64_t updates_per_epoch);

struct DrawRule {
  TicketMode mode = TicketMode::EarlyBird;
  int64_t check_steps = 20;      ///< ticket_check_steps
  int64_t fixed_step = 0;        ///< fixed_step / fixed_fraction: the resolved draw step
  int64_t max_search_steps = 0;  ///< resolved bound; 0 = none

  /// From the options and the number of optimizer updates per epoch (which resolves fixed_fraction and
  /// a max_search_steps of -1). Errors name the key at fault.
  static DrawRule from_options(const TicketOptions& options, int64_t updates_per_epoch);

  /// True for the modes with a search phase (early_bird, fixed_step, fixed_fraction).
  bool searches() const;
  /// Masks are computed and recorded after this update (step > 0, a multiple of check_steps,
  /// searching modes only).
  bool is_check_step(int64_t step) const;
  /// Whether to draw after `step` updates; `early_bird_stable` is the detector's answer at this step.
  DrawReason decide(int64_t step, bool early_bird_stable) const;
};

}  // namespace earlybert
