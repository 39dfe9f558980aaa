// Learning-rate schedules as pure functions of the optimizer step.
//
// Each matches Hugging Face's get_*_schedule_with_warmup exactly (transformers/optimization.py), so a
// run here and a run with the Hugging Face Trainer see the same learning rates:
//   constant               1
//   constant_with_warmup   step / max(1, warmup) during warmup, then 1
//   linear                 warmup, then max(0, (total - step) / max(1, total - warmup))
//   polynomial             warmup, then (lr - lr_end) * (1 - (step - warmup) / (total - warmup))^power + lr_end,
//                          and lr_end after `total` (HF's get_polynomial_decay_schedule_with_warmup)
//   cosine                 warmup, then max(0, 0.5 * (1 + cos(pi * 2 * num_cycles * progress))),
//                          progress = (step - warmup) / max(1, total - warmup), num_cycles = 0.5
//
// `step` counts optimizer updates already done, as PyTorch's LambdaLR does: update number k (1-based)
// uses lr(k - 1). With warmup the very first update therefore has learning rate 0, exactly as in HF.
// Because the schedule is a pure function, its "state" is just the step: resuming needs nothing else
// (the checkpoint still writes it, as scheduler.json, so that a run can be inspected).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "earlybert/base/enum_names.h"

namespace earlybert {

/// Key lr_scheduler_type, with Hugging Face's names.
enum class LrScheduleType { Constant, ConstantWithWarmup, Linear, Polynomial, Cosine };
template <>
struct EnumNames<LrScheduleType> {
  static constexpr const char* what = "schedule";
  static constexpr std::array<EnumName<LrScheduleType>, 5> values{
      {{LrScheduleType::Constant, "constant"},
       {LrScheduleType::ConstantWithWarmup, "constant_with_warmup"},
       {LrScheduleType::Linear, "linear"},
       {LrScheduleType::Polynomial, "polynomial"},
       {LrScheduleType::Cosine, "cosine"}}};
};
inline std::string to_string(LrScheduleType type) { return enum_to_string(type); }

struct LrSchedule {
  LrScheduleType type = LrScheduleType::Linear;
  double base_lr = 5e-5;  ///< the peak learning rate (HF: the optimizer's initial lr)
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  double lr_end = 1e-7;     ///< polynomial only
  double power = 1.0;       ///< polynomial only
  double num_cycles = 0.5;  ///< cosine only (HF default: half a cosine, down to 0)

  /// HF's lr_lambda(step): the factor applied to base_lr.
  double multiplier(int64_t step) const;
  /// base_lr * multiplier(step).
  double lr(int64_t step) const { return base_lr * multiplier(step); }

  /// JSON text (scheduler.json in a checkpoint) and back; errors name `source` and the key.
  std::string to_json() const;
  static LrSchedule from_json(const std::string& text, const std::string& source);
};

/// What a run asks of its schedule (keys lr_scheduler_type, learning_rate, warmup_ratio, warmup_steps,
/// lr_end, lr_power).
struct LrScheduleOptions {
  LrScheduleType type = LrScheduleType::Linear;
  double learning_rate = 5e-5;  ///< the peak
  double warmup_ratio = 0.0;    ///< warmup = ceil(warmup_ratio * total) unless warmup_steps > 0
  int64_t warmup_steps = 0;
  double lr_end = 1e-7;
  double power = 1.0;
};

/// Warmup updates: warmup_steps when > 0, else ceil(warmup_ratio * total_steps) (Hugging Face's rule).
int64_t warmup_update_steps(const LrScheduleOptions& options, int64_t total_steps);

/// The schedule over `total_steps` updates.
LrSchedule make_lr_schedule(const LrScheduleOptions& options, int64_t total_steps);

}  // namespace earlybert
