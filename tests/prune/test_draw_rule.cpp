// Tests for the draw decisions: fixed step, fraction of the first epoch, the search bound ("drawn by
// bound"), random and none, and the check-step cadence.
#include "earlybert/prune/draw_rule.h"

#include <gtest/gtest.h>

#include "earlybert/prune/early_bird.h"
#include "expect_error.h"
#include "scratch_dir.h"
#include "test_paths.h"

using namespace earlybert;
using earlybert::test::expect_error;

TEST(DrawRule, FixedFractionIsCeilOfTheFirstEpoch) {
  EXPECT_EQ(fixed_fraction_step(0.2, 100), 20);
  EXPECT_EQ(fixed_fraction_step(0.2, 101), 21);  // 20.2 -> 21
  EXPECT_EQ(fixed_fraction_step(0.14, 50), 7);   // 7.000000000000001 in binary: still 7
  EXPECT_EQ(fixed_fraction_step(0.01, 10), 1);   // never 0
  EXPECT_EQ(fixed_fraction_step(1.0, 37), 37);
  expect_error([] { fixed_fraction_step(0.0, 10); }, {"ticket_fraction"});
}

TEST(DrawRule, SearchBoundResolution) {
  EXPECT_EQ(resolve_max_search_steps(-1, 250), 250);  // one epoch
  EXPECT_EQ(resolve_max_search_steps(0, 250), 0);     // unbounded
  EXPECT_EQ(resolve_max_search_steps(40, 250), 40);
}

TEST(DrawRule, FixedStepMode) {
  TicketOptions a;
  a.mode = TicketMode::FixedStep;
  a.fixed_step = 30;
  a.max_search_steps = 0;
  const auto r = DrawRule::from_options(a, 100);
  EXPECT_TRUE(r.searches());
  EXPECT_EQ(r.decide(29, false), DrawReason::NotYet);
  EXPECT_EQ(r.decide(30, false), DrawReason::FixedStep);
  a.fixed_step = 0;
  expect_error([&] { DrawRule::from_options(a, 100); }, {"ticket_step"});
}

TEST(DrawRule, FixedFractionMode) {
  TicketOptions a;
  a.mode = TicketMode::FixedFraction;
  a.fraction = 0.2;
  const auto r = DrawRule::from_options(a, 101);
  EXPECT_EQ(r.fixed_step, 21);
  EXPECT_EQ(r.decide(20, true), DrawReason::NotYet);  // the detector's answer does not matter here
  EXPECT_EQ(r.decide(21, false), DrawReason::FixedStep);
}

TEST(DrawRule, EarlyBirdModeWithBound) {
  TicketOptions a;
  a.mode = TicketMode::EarlyBird;
  a.check_steps = 10;
  a.max_search_steps = 55;  // not a multiple of the check interval: the bound still applies at 55
  const auto r = DrawRule::from_options(a, 1000);
  EXPECT_FALSE(r.is_check_step(0));
  EXPECT_TRUE(r.is_check_step(10));
  EXPECT_FALSE(r.is_check_step(15));
  EXPECT_EQ(r.decide(40, false), DrawReason::NotYet);
  EXPECT_EQ(r.decide(40, true), DrawReason::EarlyBird);
  EXPECT_EQ(r.decide(54, false), DrawReason::NotYet);
  EXPECT_EQ(r.decide(55, false), DrawReason::SearchBound);
  EXPECT_EQ(to_string(DrawReason::SearchBound), "max_search_steps");
  // Default bound: one epoch of updates.
  a.max_search_steps = -1;
  EXPECT_EQ(DrawRule::from_options(a, 120).max_search_steps, 120);
  // No bound: searches as long as it takes.
  a.max_search_steps = 0;
  EXPECT_EQ(DrawRule::from_options(a, 120).decide(1000000, false), DrawReason::NotYet);
}

TEST(DrawRule, RandomAndNone) {
  TicketOptions a;
  a.mode = TicketMode::Random;
  const auto random = DrawRule::from_options(a, 10);
  EXPECT_FALSE(random.searches());
  EXPECT_FALSE(random.is_check_step(20));
  EXPECT_EQ(random.decide(0, false), DrawReason::Random);  // before the first update
  a.mode = TicketMode::None;
  const auto none = DrawRule::from_options(a, 10);
  EXPECT_FALSE(none.searches());
  EXPECT_EQ(none.decide(0, false), DrawReason::NotYet);
  EXPECT_EQ(none.decide(1000, true), DrawReason::NotYet);
  expect_error([] { parse_enum<TicketMode>("sometimes", "ticket_mode"); }, {"ticket_mode", "sometimes"});
  for (auto m :
       {TicketMode::EarlyBird, TicketMode::FixedStep, TicketMode::FixedFraction, TicketMode::Random, TicketMode::None})
    EXPECT_EQ(parse_enum<TicketMode>(to_string(m), "ticket_mode"), m);
}

TEST(DrawRule, LoopShapeWithDetectorDrawsByBoundWhenMasksNeverSettle) {
  // The loop as draw_rule.h describes it, with masks that flip every check: drawn by the bound.
  TicketOptions a;
  a.check_steps = 5;
  a.max_search_steps = 42;
  const auto rule = DrawRule::from_options(a, 1000);
  // No swap floor: with 3 heads, one swapped head (distance 2/3) would count as stable otherwise.
  EarlyBirdDetector detector(EarlyBirdCriterion{a.threshold_heads, a.threshold_ffn, 0}, a.window);
  DrawReason why = DrawReason::NotYet;
  int64_t step = 0;
  while (why == DrawReason::NotYet) {
    ++step;
    bool stable = false;
    if (rule.is_check_step(step)) {
      const bool odd = (step / 5) % 2 == 1;
      stable = detector.observe(step, {{odd, !odd, true}}, {{!odd, odd}});
    }
    why = rule.decide(step, stable);
  }
  EXPECT_EQ(step, 42);
  EXPECT_EQ(why, DrawReason::SearchBound);
  EXPECT_EQ(detector.history().size(), 8u);  // checks at 5, 10, ..., 40
}
