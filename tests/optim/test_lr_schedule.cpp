// Tests for the learning-rate schedules against values worked out by hand from Hugging Face's
// get_*_schedule_with_warmup formulas (transformers/optimization.py).
#include "earlybert/optim/lr_schedule.h"

#include <gtest/gtest.h>

#include <cmath>

#include "expect_error.h"
#include "scratch_dir.h"
#include "test_paths.h"

using namespace earlybert;
using earlybert::test::expect_error;

namespace {
LrSchedule schedule(LrScheduleType type, int64_t warmup, int64_t total, double base = 1e-3) {
  LrSchedule s;
  s.type = type;
  s.base_lr = base;
  s.warmup_steps = warmup;
  s.total_steps = total;
  return s;
}
}  // namespace

TEST(LrSchedule, Constant) {
  const auto s = schedule(LrScheduleType::Constant, 10, 100);
  EXPECT_DOUBLE_EQ(s.multiplier(0), 1.0);  // no warmup even when warmup_steps is set
  EXPECT_DOUBLE_EQ(s.lr(57), 1e-3);
  EXPECT_DOUBLE_EQ(s.lr(1000), 1e-3);
}

TEST(LrSchedule, ConstantWithWarmup) {
  const auto s = schedule(LrScheduleType::ConstantWithWarmup, 4, 100);
  EXPECT_DOUBLE_EQ(s.multiplier(0), 0.0);
  EXPECT_DOUBLE_EQ(s.multiplier(1), 0.25);
  EXPECT_DOUBLE_EQ(s.multiplier(3), 0.75);
  EXPECT_DOUBLE_EQ(s.multiplier(4), 1.0);
  EXPECT_DOUBLE_EQ(s.multiplier(500), 1.0);
}

TEST(LrSchedule, LinearWarmupThenLinearDecay) {
  const auto s = schedule(LrScheduleType::Linear, 10, 100);
  EXPECT_DOUBLE_EQ(s.multiplier(0), 0.0);
  EXPECT_DOUBLE_EQ(s.multiplier(5), 0.5);
  EXPECT_DOUBLE_EQ(s.multiplier(10), 1.0);  // (100 - 10) / 90
  EXPECT_DOUBLE_EQ(s.multiplier(55), 0.5);  // 45 / 90
  EXPECT_DOUBLE_EQ(s.multiplier(91), 0.1);  // 9 / 90
  EXPECT_DOUBLE_EQ(s.multiplier(100), 0.0);
  EXPECT_DOUBLE_EQ(s.multiplier(130), 0.0);  // clamped at 0
  EXPECT_DOUBLE_EQ(s.lr(55), 5e-4);
  // No warmup: the first update already uses the peak rate.
  EXPECT_DOUBLE_EQ(schedule(LrScheduleType::Linear, 0, 4).multiplier(0), 1.0);
  EXPECT_DOUBLE_EQ(schedule(LrScheduleType::Linear, 0, 4).multiplier(3), 0.25);
}

TEST(LrSchedule, CosineWithWarmup) {
  const auto s = schedule(LrScheduleType::Cosine, 10, 110);
  EXPECT_DOUBLE_EQ(s.multiplier(5), 0.5);
  EXPECT_DOUBLE_EQ(s.multiplier(10), 1.0);
  EXPECT_NEAR(s.multiplier(35), 0.5 * (1.0 + std::sqrt(0.5)), 1e-15);  // progress 1/4
  EXPECT_NEAR(s.multiplier(60), 0.5, 1e-15);                           // progress 1/2
  EXPECT_NEAR(s.multiplier(110), 0.0, 1e-15);                          // progress 1
  EXPECT_GE(s.multiplier(110), 0.0);
}

TEST(LrSchedule, PolynomialDecayToLrEnd) {
  auto s = schedule(LrScheduleType::Polynomial, 10, 110);
  s.lr_end = 1e-7;
  s.power = 2.0;
  EXPECT_DOUBLE_EQ(s.multiplier(5), 0.5);
  EXPECT_DOUBLE_EQ(s.multiplier(10), 1.0);  // (1e-3 - 1e-7) * 1 + 1e-7 = 1e-3
  // step 60: remaining 1/2 -> (1e-3 - 1e-7) / 4 + 1e-7 = 2.50075e-4
  EXPECT_NEAR(s.lr(60), 2.50075e-4, 1e-18);
  EXPECT_NEAR(s.lr(110), 1e-7, 1e-18);
  EXPECT_NEAR(s.lr(111), 1e-7, 1e-18);  // after total: lr_end
  EXPECT_NEAR(s.lr(5000), 1e-7, 1e-18);
  s.power = 1.0;
  EXPECT_NEAR(s.lr(60), 5.0005e-4, 1e-18);
}

TEST(LrSchedule, FromOptionsWithWarmupRatio) {
  LrScheduleOptions a;
  a.learning_rate = 4e-5;
  a.type = LrScheduleType::Linear;
  a.warmup_ratio = 0.1;
  const auto s = make_lr_schedule(a, 83);
  EXPECT_EQ(s.warmup_steps, 9);  // ceil(8.3), as Hugging Face's get_warmup_steps
  EXPECT_EQ(s.total_steps, 83);
  EXPECT_DOUBLE_EQ(s.base_lr, 4e-5);
  EXPECT_DOUBLE_EQ(s.lr(3), 4e-5 * 3.0 / 9.0);
  a.warmup_steps = 5;
  EXPECT_EQ(warmup_update_steps(a, 83), 5);  // warmup_steps wins over the ratio
  expect_error([] { parse_enum<LrScheduleType>("warp", "lr_scheduler_type"); }, {"lr_scheduler_type", "warp"});
}

TEST(LrSchedule, JsonRoundTrip) {
  auto s = schedule(LrScheduleType::Polynomial, 7, 70, 3e-4);
  s.lr_end = 2e-6;
  s.power = 0.5;
  const auto t = LrSchedule::from_json(s.to_json(), "scheduler.json");
  EXPECT_EQ(t.type, s.type);
  EXPECT_EQ(t.warmup_steps, 7);
  EXPECT_EQ(t.total_steps, 70);
  for (int64_t step : {0, 3, 7, 30, 70, 90}) EXPECT_EQ(t.lr(step), s.lr(step)) << step;
  expect_error([] { LrSchedule::from_json("{\"lr_scheduler_type\": \"linear\"}", "scheduler.json"); },
               {"scheduler.json", "base_lr"});
  expect_error(
      [] {
        LrSchedule::from_json(
            "{\"lr_scheduler_type\": \"linear\", \"base_lr\": 1, \"warmup_steps\": -1,"
            " \"total_steps\": 3}",
            "s.json");
      },
      {"s.json", "warmup_steps"});
}
