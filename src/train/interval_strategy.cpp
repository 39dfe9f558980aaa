// Evaluation / save intervals and the best-model direction — see include/earlybert/train/interval_strategy.h.
#include "earlybert/train/interval_strategy.h"

namespace earlybert {

int64_t interval_updates(IntervalStrategy strategy, int64_t steps, int64_t updates_per_epoch) {
  switch (strategy) {
    case IntervalStrategy::Steps:
      return steps > 0 ? steps : 0;
    case IntervalStrategy::Epoch:
      return updates_per_epoch > 0 ? updates_per_epoch : 0;
    case IntervalStrategy::No:
      return 0;
  }
  return 0;
}

bool at_interval(int64_t step, int64_t interval, int64_t total) {
  return interval > 0 && step > 0 && step % interval == 0 && step < total;
}

bool greater_is_better(MetricDirection direction, const std::string& metric) {
  if (direction != MetricDirection::Auto) return direction == MetricDirection::Greater;
  const bool lower =
      metric == "perplexity" || (metric.size() >= 4 && metric.compare(metric.size() - 4, 4, "loss") == 0);
  return !lower;
}

bool improves(double value, const std::optional<double>& best, bool greater) {
  if (!best) return true;
  return greater ? value > *best : value < *best;
}

}  // namespace earlybert
