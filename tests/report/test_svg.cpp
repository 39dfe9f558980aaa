// svg_number, path_data (gaps at non-finite points) and text_width.
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>

#include "earlybert/report/svg.h"

namespace earlybert::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(SvgNumber, AtMostTwoDecimalsNoTrailingZeros) {
  EXPECT_EQ(svg_number(12.5), "12.5");
  EXPECT_EQ(svg_number(3), "3");
  EXPECT_EQ(svg_number(0.126), "0.13");
  EXPECT_EQ(svg_number(-0.001), "0");
  EXPECT_EQ(svg_number(-4.20), "-4.2");
  EXPECT_EQ(svg_number(1234567.891), "1234567.89");
  EXPECT_THROW(svg_number(kNaN), std::invalid_argument);
  EXPECT_THROW(svg_number(std::numeric_limits<double>::infinity()), std::invalid_argument);
}

TEST(PathData, MovesThenLines) {
  EXPECT_EQ(path_data({{0, 0}, {10, 5.5}, {20, 3}}), "M0 0 L10 5.5 L20 3");
  EXPECT_EQ(path_data({{1, 2}}), "M1 2");
  EXPECT_EQ(path_data({}), "");
}

TEST(PathData, NonFinitePointsAreGaps) {
  EXPECT_EQ(path_data({{0, 0}, {1, kNaN}, {2, 2}, {3, 3}}), "M0 0 M2 2 L3 3");
  EXPECT_EQ(path_data({{kNaN, 0}, {1, 1}, {2, kNaN}}), "M1 1");
  EXPECT_EQ(path_data({{kNaN, kNaN}}), "");
  EXPECT_EQ(path_data({{0, std::numeric_limits<double>::infinity()}, {1, 1}, {2, 2}}), "M1 1 L2 2");
}

TEST(TextWidth, CountsCodePoints) {
  EXPECT_DOUBLE_EQ(text_width("abcd", 10), 24);
  EXPECT_DOUBLE_EQ(text_width("äöü", 10), 18);  // 3 characters, 6 bytes
  EXPECT_DOUBLE_EQ(text_width("", 12), 0);
}

}  // namespace
}  // namespace earlybert::report
