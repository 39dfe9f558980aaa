// When the trainer evaluates and saves during training: Hugging Face's eval_strategy / save_strategy
// (IntervalStrategy) next to eval_steps / save_steps, and how a best model is recognised
// (metric_for_best_model, greater_is_better, load_best_model_at_end).
//
//   steps  every eval_steps / save_steps updates; 0 steps = at the end only (this tool's default for
//          eval_steps, so that a plain run does not spend its time evaluating)
//   epoch  at the end of every epoch (every updates-per-epoch updates)
//   no     never during training; the final evaluation and the final model are still written
//
// The end of training always evaluates and saves the final model, whatever the strategy: that is what
// eval_results.json and the output directory's model are. Pure functions, tested without training.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "earlybert/base/enum_names.h"

namespace earlybert {

/// Keys `eval_strategy` and `save_strategy`.
enum class IntervalStrategy { Steps, Epoch, No };
template <>
struct EnumNames<IntervalStrategy> {
  static constexpr const char* what = "interval strategy";
  static constexpr std::array<EnumName<IntervalStrategy>, 3> values{
      {{IntervalStrategy::Steps, "steps"}, {IntervalStrategy::Epoch, "epoch"}, {IntervalStrategy::No, "no"}}};
};
inline std::string to_string(IntervalStrategy s) { return enum_to_string(s); }

/// Every how many updates to act during training under `strategy`: `steps` (steps), the updates of
/// one epoch (epoch), or 0 = never during training (no, or steps with 0).
int64_t interval_updates(IntervalStrategy strategy, int64_t steps, int64_t updates_per_epoch);

/// True when `step` (1-based count of updates done) is an interval point strictly before `total`.
bool at_interval(int64_t step, int64_t interval, int64_t total);

/// Key `greater_is_better`: auto (Hugging Face's None) decides from the metric's name — lower is
/// better for a name ending in "loss" (and perplexity), higher for everything else.
enum class MetricDirection { Auto, Greater, Lower };
template <>
struct EnumNames<MetricDirection> {
  static constexpr const char* what = "greater_is_better value";
  static constexpr std::array<EnumName<MetricDirection>, 3> values{
      {{MetricDirection::Auto, "auto"}, {MetricDirection::Greater, "true"}, {MetricDirection::Lower, "false"}}};
};
inline std::string to_string(MetricDirection d) { return enum_to_string(d); }

/// Whether a larger value of `metric` is better under `direction`.
bool greater_is_better(MetricDirection direction, const std::string& metric);

/// True when `value` beats `best` (a first value always does).
bool improves(double value, const std::optional<double>& best, bool greater);

}  // namespace earlybert
