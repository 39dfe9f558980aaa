// The table's number formats: the strings `earlybert compare` prints (apps/earlybert/compare_cmd.cpp has
// the same rules; the README's example table shows them).
#include <gtest/gtest.h>

#include "earlybert/report/format.h"

namespace earlybert::report {
namespace {

TEST(Format, Metric) {
  EXPECT_EQ(format_metric(0.4182), "0.4182");
  EXPECT_EQ(format_metric(2.13), "2.13");
  EXPECT_EQ(format_metric(81.3), "81.30");
  EXPECT_EQ(format_metric(1234.56), "1234.6");
  EXPECT_EQ(format_metric(std::nullopt), "nan");
}

TEST(Format, Seconds) {
  EXPECT_EQ(format_seconds(34.4), "34.4s");
  EXPECT_EQ(format_seconds(0.05), "0.1s");
  EXPECT_EQ(format_seconds(110), "1m50s");
  EXPECT_EQ(format_seconds(188.2), "3m08s");
  EXPECT_EQ(format_seconds(7260), "2h01m");
}

TEST(Format, CountAndPercent) {
  EXPECT_EQ(format_count(11180000), "11.18M");
  EXPECT_EQ(format_count(24600), "24.6k");
  EXPECT_EQ(format_count(2458), "2458");
  EXPECT_EQ(format_percent(10.08, 11.18), "90.2%");
  EXPECT_EQ(format_percent(30.7, 188), "16.3%");
  EXPECT_EQ(format_percent(1, 0), "-");
}

}  // namespace
}  // namespace earlybert::report
