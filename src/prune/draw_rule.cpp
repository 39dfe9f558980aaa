// Draw decisions — see include/earlybert/prune/draw_rule.h.
#include "earlybert/prune/draw_rule.h"

#include <algorithm>
#include <cmath>

#include "earlybert/base/error.h"

namespace earlybert {

int64_t fixed_fraction_step(double fraction, int64_t updates_per_epoch) {
  if (!(fraction > 0.0 && fraction <= 1.0)) fail("ticket_fraction", "must be in (0, 1]");
  if (updates_per_epoch < 1) fail("updates per epoch", "must be >= 1");
  // The tiny tolerance keeps a product that lands a rounding error above a whole number (0.14 * 50
  // is 7.000000000000001 in binary) on that number.
  const double exact = fraction * static_cast<double>(updates_per_epoch);
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(exact - 1e-9)));
}

int64_t resolve_max_search_steps(int64_t max_search_steps, int64_t updates_per_epoch) {
  if (max_search_steps < -1) fail("max_search_steps", "must be -1, 0 or positive");
  if (max_search_steps == -1) return std::max<int64_t>(1, updates_per_epoch);
  return max_search_steps;
}

DrawRule DrawRule::from_options(const TicketOptions& o, int64_t updates_per_epoch) {
  DrawRule r;
  r.mode = o.mode;
  r.check_steps = o.check_steps;
  if (r.check_steps < 1) fail("ticket_check_steps", "must be >= 1");
  if (r.mode == TicketMode::FixedStep) {
    if (o.fixed_step < 1) fail("ticket_step", "ticket_mode fixed_step needs ticket_step >= 1");
    r.fixed_step = o.fixed_step;
  } else if (r.mode == TicketMode::FixedFraction) {
    r.fixed_step = fixed_fraction_step(o.fraction, updates_per_epoch);
  }
  r.max_search_steps = resolve_max_search_steps(o.max_search_steps, updates_per_epoch);
  return r;
}

bool DrawRule::searches() const {
  return mode == TicketMode::EarlyBird || mode == TicketMode::FixedStep || mode == TicketMode::FixedFraction;
}

bool DrawRule::is_check_step(int64_t step) const { return searches() && step > 0 && step % check_steps == 0; }

DrawReason DrawRule::decide(int64_t step, bool early_bird_stable) const {
  switch (mode) {
    case TicketMode::None:
    // The lab's strategies decide their own draws (prune/ticket_strategy.h); this rule never draws for them.
    case TicketMode::Imp:
    case TicketMode::Rigl:
    case TicketMode::Greedy:
    case TicketMode::Reinit:
      return DrawReason::NotYet;
    case TicketMode::Random:
      return DrawReason::Random;
    case TicketMode::EarlyBird:
      if (early_bird_stable && step > 0) return DrawReason::EarlyBird;
      break;
    case TicketMode::FixedStep:
    case TicketMode::FixedFraction:
      if (step >= fixed_step) return DrawReason::FixedStep;
      break;
  }
  if (max_search_steps > 0 && step >= max_search_steps) return DrawReason::SearchBound;
  return DrawReason::NotYet;
}

}  // namespace earlybert
