// Learning-rate schedules — see include/earlybert/optim/lr_schedule.h.
#include "earlybert/optim/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "base/json_fields.h"
#include "earlybert/base/error.h"

namespace earlybert {

double LrSchedule::multiplier(int64_t step) const {
  const double s = static_cast<double>(step);
  const double w = static_cast<double>(warmup_steps);
  const double t = static_cast<double>(total_steps);
  if (type == LrScheduleType::Constant) return 1.0;
  // Every other schedule starts with the same linear warmup.
  if (step < warmup_steps) return s / std::max(1.0, w);
  switch (type) {
    case LrScheduleType::ConstantWithWarmup:
      return 1.0;
    case LrScheduleType::Linear:
      return std::max(0.0, (t - s) / std::max(1.0, t - w));
    case LrScheduleType::Cosine: {
      const double progress = (s - w) / std::max(1.0, t - w);
      return std::max(0.0, 0.5 * (1.0 + std::cos(M_PI * num_cycles * 2.0 * progress)));
    }
    case LrScheduleType::Polynomial: {
      if (step > total_steps) return lr_end / base_lr;
      const double lr_range = base_lr - lr_end;
      // HF divides by (total - warmup) unguarded; max(1, .) only matters where HF would divide by 0.
      const double decay_steps = std::max(1.0, t - w);
      const double pct_remaining = 1.0 - (s - w) / decay_steps;
      const double decay = lr_range * std::pow(pct_remaining, power) + lr_end;
      return decay / base_lr;
    }
    case LrScheduleType::Constant:
      break;
  }
  return 1.0;
}

std::string LrSchedule::to_json() const {
  nlohmann::json j;
  j["lr_scheduler_type"] = to_string(type);
  j["base_lr"] = base_lr;
  j["warmup_steps"] = warmup_steps;
  j["total_steps"] = total_steps;
  j["lr_end"] = lr_end;
  j["power"] = power;
  j["num_cycles"] = num_cycles;
  return j.dump(2) + "\n";
}

LrSchedule LrSchedule::from_json(const std::string& text, const std::string& source) {
  const auto doc = json_fields::parse(text, source);
  json_fields::JsonReader r(doc, source);
  LrSchedule s;
  s.type = parse_enum<LrScheduleType>(r.require<std::string>("lr_scheduler_type"), r.where("lr_scheduler_type"));
  s.base_lr = r.require<double>("base_lr");
  s.warmup_steps = r.require<int64_t>("warmup_steps");
  s.total_steps = r.require<int64_t>("total_steps");
  s.lr_end = r.optional<double>("lr_end", s.lr_end);
  s.power = r.optional<double>("power", s.power);
  s.num_cycles = r.optional<double>("num_cycles", s.num_cycles);
  if (s.warmup_steps < 0) fail(r.where("warmup_steps"), "must be >= 0");
  if (s.total_steps < 1) fail(r.where("total_steps"), "must be >= 1");
  return s;
}

int64_t warmup_update_steps(const LrScheduleOptions& o, int64_t total_steps) {
  if (o.warmup_steps > 0) return o.warmup_steps;
  return static_cast<int64_t>(std::ceil(o.warmup_ratio * static_cast<double>(total_steps)));
}

LrSchedule make_lr_schedule(const LrScheduleOptions& o, int64_t total_steps) {
  LrSchedule s;
  s.type = o.type;
  s.base_lr = o.learning_rate;
  s.total_steps = total_steps;
  s.warmup_steps = warmup_update_steps(o, total_steps);
  s.lr_end = o.lr_end;
  s.power = o.power;
  return s;
}

}  // namespace earlybert
