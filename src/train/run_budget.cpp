// Stage budgets and learning rates of a run — see include/earlybert/train/run_budget.h.
#include "earlybert/train/run_budget.h"

#include <algorithm>

namespace earlybert {

int64_t final_update(const RunBudget& b, int64_t efficient_start) {
  if (b.efficient_schedule == EfficientSchedule::Restart && efficient_start >= 0)
    return efficient_start + b.efficient_updates;
  return b.main_updates;
}

int64_t rewarmup_updates(const RunBudget& b, int64_t efficient_start) {
  if (b.efficient_schedule != EfficientSchedule::Continue || efficient_start <= 0) return 0;
  const int64_t left = std::max<int64_t>(1, b.main_updates - efficient_start);
  return warmup_update_steps(b.efficient, left);
}

LrSchedule active_schedule(const RunBudget& b, Phase phase) {
  if (phase == Phase::Efficient && b.efficient_schedule == EfficientSchedule::Restart)
    return make_lr_schedule(b.efficient, b.efficient_updates);
  LrScheduleOptions main = b.main;
  if (phase == Phase::Search && b.search_learning_rate > 0) main.learning_rate = b.search_learning_rate;
  if (phase == Phase::Efficient) main.learning_rate = b.efficient.learning_rate;
  return make_lr_schedule(main, b.main_updates);
}

double learning_rate_at(const RunBudget& b, Phase phase, int64_t step, int64_t efficient_start) {
  const LrSchedule schedule = active_schedule(b, phase);
  if (phase != Phase::Efficient) return schedule.lr(step);
  const int64_t since_draw = step - std::max<int64_t>(0, efficient_start);
  if (b.efficient_schedule == EfficientSchedule::Restart) return schedule.lr(since_draw);
  const int64_t warm = rewarmup_updates(b, efficient_start);
  const double ramp = warm > 0 && since_draw < warm ? static_cast<double>(since_draw) / static_cast<double>(warm) : 1.0;
  return schedule.lr(step) * ramp;
}

}  // namespace earlybert
