// When the ticket is drawn: the one place the trainer asks, after every optimizer update.
//
// `step` below always counts completed optimizer updates (1 after the first update). The trainer,
// after update `step`:
//   if (rule.is_check_step(step)) { masks = ...; stable = detector.observe(step, heads, ffn); }
//   DrawReason why = rule.decide(step, stable);   // stable = false when nothing was observed
//   if (why != DrawReason::NotYet) draw(why);
// and, before the first update, asks rule.decide(0, false) once: the random mode draws there.
//
// Modes (TrainingArguments::ticket_mode):
//   early_bird      drawn when the detector says so (DrawReason::EarlyBird)
//   fixed_step      drawn at step == ticket_step (DrawReason::FixedStep)
//   fixed_fraction  drawn at step == fixed_fraction_step(ticket_fraction, updates per epoch)
//                   (DrawReason::FixedStep). The official code uses round(); ceil is used here so that
//                   the draw never comes before the requested fraction, and at least 1.
//   random          drawn at step 0 without a search (DrawReason::Random)
//   none            never drawn: the dense baseline
// In the three searching modes the search bound also applies: at step == max_search_steps (resolved:
// -1 = updates in the first epoch, 0 = no bound) the ticket is drawn anyway with
// DrawReason::SearchBound, and the trainer says so ("drawn by bound").
// Masks are recorded every ticket_check_steps in every searching mode, so ticket.json has the distance
// history (and coefficient snapshots) whatever decided the draw.
#pragma once

#include <cstdint>
#include <string>

namespace earlybert {

struct TrainingArguments;

enum class TicketMode { EarlyBird, FixedStep, FixedFraction, Random, None };
enum class DrawReason { NotYet, EarlyBird, FixedStep, SearchBound, Random };

/// "early_bird", "fixed_step", "fixed_fraction", "random", "none"; Error naming `where` otherwise.
TicketMode parse_ticket_mode(const std::string& name, const std::string& where = "ticket_mode");
std::string to_string(TicketMode mode);
/// "not_yet", "early_bird", "fixed_step", "max_search_steps", "random" (written into ticket.json).
std::string to_string(DrawReason reason);

/// max(1, ceil(fraction * updates_per_epoch)).
int64_t fixed_fraction_step(double fraction, int64_t updates_per_epoch);

/// The search bound in updates: -1 → updates_per_epoch, 0 → 0 (no bound), N → N.
int64_t resolve_max_search_steps(int64_t max_search_steps, int64_t updates_per_epoch);

struct DrawRule {
  TicketMode mode = TicketMode::EarlyBird;
  int64_t check_steps = 20;      ///< ticket_check_steps
  int64_t fixed_step = 0;        ///< fixed_step / fixed_fraction: the resolved draw step
  int64_t max_search_steps = 0;  ///< resolved bound; 0 = none

  /// From the resolved arguments and the number of optimizer updates per epoch.
  static DrawRule from_arguments(const TrainingArguments& args, int64_t updates_per_epoch);

  /// True for the modes with a search phase (early_bird, fixed_step, fixed_fraction).
  bool searches() const;
  /// Masks are computed and recorded after this update (step > 0, a multiple of check_steps,
  /// searching modes only).
  bool is_check_step(int64_t step) const;
  /// Whether to draw after `step` updates; `early_bird_stable` is the detector's answer at this step.
  DrawReason decide(int64_t step, bool early_bird_stable) const;
};

}  // namespace earlybert
