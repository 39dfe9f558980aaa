// nice_axis, format_tick and LinearScale against hand-worked examples of Heckbert's algorithm.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "earlybert/report/axis.h"

namespace earlybert::report {
namespace {

void expect_ticks(const Axis& a, const std::vector<double>& want) {
  ASSERT_EQ(a.ticks.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(a.ticks[i], want[i], 1e-12) << i;
  EXPECT_DOUBLE_EQ(a.min, a.ticks.front());
  EXPECT_DOUBLE_EQ(a.max, a.ticks.back());
}

TEST(NiceAxis, StepsAreOneTwoOrFiveTimesAPowerOfTen) {
  // 0..10 in 5 ticks: raw step 2.5 -> 2.
  Axis a = nice_axis(0, 10, 5);
  EXPECT_DOUBLE_EQ(a.step, 2);
  expect_ticks(a, {0, 2, 4, 6, 8, 10});
  // 0.0123..0.987: raw 0.24 -> 0.2; widened to 0 and 1.
  a = nice_axis(0.0123, 0.987, 5);
  EXPECT_DOUBLE_EQ(a.step, 0.2);
  expect_ticks(a, {0, 0.2, 0.4, 0.6, 0.8, 1.0});
  // Losses 2.13..6.1: raw 0.99 -> 1.
  a = nice_axis(2.13, 6.1, 5);
  EXPECT_DOUBLE_EQ(a.step, 1);
  expect_ticks(a, {2, 3, 4, 5, 6, 7});
  // Steps 0..1000 in 6 ticks: raw 200 -> 200.
  a = nice_axis(0, 1000, 6);
  EXPECT_DOUBLE_EQ(a.step, 200);
  expect_ticks(a, {0, 200, 400, 600, 800, 1000});
  // raw 3.5 -> 5 (f in [3, 7) rounds to 5), 7.5 -> 10.
  EXPECT_DOUBLE_EQ(nice_axis(0, 14, 5).step, 5);
  EXPECT_DOUBLE_EQ(nice_axis(0, 30, 5).step, 10);
  // Negative data.
  a = nice_axis(-3.2, -0.4, 4);
  EXPECT_DOUBLE_EQ(a.step, 1);
  expect_ticks(a, {-4, -3, -2, -1, 0});
}

TEST(NiceAxis, BoundsOnATickGetNoExtraTick) {
  // 0.3 is 0.30000000000000004 / 0.1 = 3.0000000000000004 steps: still 0.3, not 0.4.
  Axis a = nice_axis(0.1, 0.1 + 0.2, 3);
  EXPECT_DOUBLE_EQ(a.step, 0.1);
  expect_ticks(a, {0.1, 0.2, 0.3});
  // No -0 or 1e-17 among the ticks.
  a = nice_axis(-0.3, 0.3, 7);
  for (double t : a.ticks) EXPECT_TRUE(t == 0 || std::fabs(t) >= 0.09) << t;
}

TEST(NiceAxis, DegenerateInput) {
  expect_ticks(nice_axis(0, 0, 5), {0, 0.2, 0.4, 0.6, 0.8, 1.0});
  const Axis single = nice_axis(5, 5, 5);
  EXPECT_LE(single.min, 4.5);
  EXPECT_GE(single.max, 5.5);
  EXPECT_LT(single.max - single.min, 5);
  expect_ticks(nice_axis(10, 0, 6), nice_axis(0, 10, 6).ticks);  // swapped
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  expect_ticks(nice_axis(nan, 3, 5), {0, 0.2, 0.4, 0.6, 0.8, 1.0});
  expect_ticks(nice_axis(0, inf, 5), {0, 0.2, 0.4, 0.6, 0.8, 1.0});
  EXPECT_EQ(nice_axis(0, 1, 1).ticks.size(), 2u);  // at least one interval
}

TEST(FormatTick, DecimalsFollowTheStep) {
  EXPECT_EQ(format_tick(0.4, 0.2), "0.4");
  EXPECT_EQ(format_tick(0.05, 0.05), "0.05");
  EXPECT_EQ(format_tick(0.25, 0.25), "0.25");
  EXPECT_EQ(format_tick(3, 1), "3");
  EXPECT_EQ(format_tick(600, 200), "600");
  EXPECT_EQ(format_tick(0.00002, 0.00001), "0.00002");
  EXPECT_EQ(format_tick(-1e-17, 0.1), "0.0");
  EXPECT_EQ(format_tick(-0.0, 1), "0");
  EXPECT_EQ(format_tick(-2, 1), "-2");
}

TEST(FormatTick, ThousandsAndMillionsByStep) {
  EXPECT_EQ(format_tick(12000, 2000), "12k");
  EXPECT_EQ(format_tick(2000, 2000), "2k");
  EXPECT_EQ(format_tick(0, 2000), "0k");
  EXPECT_EQ(format_tick(2500, 500), "2500");  // a finer step keeps plain numbers
  EXPECT_EQ(format_tick(3e6, 1e6), "3M");
}

TEST(LinearScale, MapsDomainOntoRange) {
  const LinearScale x{0, 10, 50, 550};
  EXPECT_DOUBLE_EQ(x(0), 50);
  EXPECT_DOUBLE_EQ(x(10), 550);
  EXPECT_DOUBLE_EQ(x(2.5), 175);
  const LinearScale y{0, 1, 250, 10};  // pixels grow downwards
  EXPECT_DOUBLE_EQ(y(0), 250);
  EXPECT_DOUBLE_EQ(y(1), 10);
  EXPECT_DOUBLE_EQ(y(0.5), 130);
  const LinearScale flat{3, 3, 0, 100};
  EXPECT_DOUBLE_EQ(flat(3), 50);
}

}  // namespace
}  // namespace earlybert::report
