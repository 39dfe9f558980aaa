// How many optimizer updates each phase of a run gets, and at which learning rate.
//
// A run without a ticket (dense) trains `main_updates` updates on one schedule at learning_rate —
// Hugging Face's Trainer. An EarlyBERT run has two stages with a draw between them, and the question
// is what the stage after the draw gets. Key efficient_schedule:
//
//   restart   (default; the official code) the efficient stage is a run of its own: after the draw at
//             update d it trains `efficient_updates` more updates on a fresh schedule (its own warm-up
//             from zero, its own decay) at efficient_learning_rate; the run ends at d + efficient_updates.
//             The search before it follows the main schedule at search_learning_rate and is cut off by
//             the draw (the official search run is a 3-epoch fine-tuning run stopped early).
//   continue  one schedule of `main_updates` runs straight through the draw (the total budget is
//             fixed); the fresh optimizer after a draw at d > 0 gets a re-warm-up: the learning rate is
//             multiplied by k / W for the k-th update after the draw while k < W (no loss spike at
//             near-peak learning rate with empty Adam moments).
//
// A ticket that exists before the first update (ticket_mode random, a ticket.json given with `ticket`,
// a model pruned before) has no search: its whole run *is* the efficient stage, d = 0. Under `restart`
// it therefore trains exactly what an EarlyBERT run trains after its draw — the same number of updates
// on the same schedule — which is what makes the random ticket a fair baseline.
//
// The global step keeps counting through the draw (logs and TensorBoard stay monotone); the step
// within the efficient stage is step - d. Everything here is a pure function of the step and the draw
// step, so a resumed run needs nothing but those two numbers (trainer_state.json has both).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "earlybert/base/enum_names.h"
#include "earlybert/optim/lr_schedule.h"
#include "earlybert/train/phase.h"

namespace earlybert {

/// Key efficient_schedule.
enum class EfficientSchedule { Restart, Continue };
template <>
struct EnumNames<EfficientSchedule> {
  static constexpr const char* what = "efficient schedule";
  static constexpr std::array<EnumName<EfficientSchedule>, 2> values{
      {{EfficientSchedule::Restart, "restart"}, {EfficientSchedule::Continue, "continue"}}};
};
inline std::string to_string(EfficientSchedule s) { return enum_to_string(s); }

struct RunBudget {
  EfficientSchedule efficient_schedule = EfficientSchedule::Restart;
  int64_t main_updates = 1;         ///< dense run / search stage (max_steps or num_train_epochs)
  LrScheduleOptions main;           ///< the dense run's schedule (main.learning_rate: its peak)
  double search_learning_rate = 0;  ///< the search's peak on the main schedule; 0 = main.learning_rate
  int64_t efficient_updates = 1;    ///< restart: the efficient stage's own budget
  /// restart: the efficient stage's schedule. continue: efficient.learning_rate is the peak of the main
  /// schedule after the draw, warmup_* give the re-warm-up length.
  LrScheduleOptions efficient;
};

/// The number of updates the run ends at: main_updates, or under restart with the efficient stage
/// started at `efficient_start` (>= 0), efficient_start + efficient_updates. efficient_start < 0:
/// not drawn (yet).
int64_t final_update(const RunBudget& budget, int64_t efficient_start);

/// The learning rate of update number step + 1 (LambdaLR's convention, as lr_schedule.h) in `phase`;
/// `efficient_start` is the draw step (needed in Phase::Efficient only).
double learning_rate_at(const RunBudget& budget, Phase phase, int64_t step, int64_t efficient_start);

/// The schedule in force in `phase` (what scheduler.json of a checkpoint shows): the main schedule at
/// the phase's peak, or under restart in the efficient phase the efficient stage's own (its steps
/// count from the draw).
LrSchedule active_schedule(const RunBudget& budget, Phase phase);

/// Length of the re-warm-up after a draw under `continue` (0 under restart or for a draw at step 0):
/// Hugging Face's warm-up rule (efficient.warmup_steps, else ceil(efficient.warmup_ratio × the updates
/// left)) over the updates left after the draw.
int64_t rewarmup_updates(const RunBudget& budget, int64_t efficient_start);

}  // namespace earlybert
