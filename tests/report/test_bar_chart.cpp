// render_stacked_bar_chart: segment lengths proportional to their values on a shared axis, totals
// written, long names shortened; time_unit.
#include <gtest/gtest.h>

#include <string>

#include "earlybert/report/bar_chart.h"
#include "report/report_test_util.h"

namespace earlybert::report {
namespace {

using test::all_matches;

StackedBarChart two_bars() {
  StackedBarChart c;
  c.id = "time-chart";
  c.title = "Wall time per phase";
  c.x_label = "wall time (s)";
  c.categories = {"search", "efficient training", "dense training"};
  c.colors = {"#E69F00", "#009E73", "#56B4E9"};
  c.bars = {{"dense", {0, 0, 60}, "1m00s"}, {"earlybert", {10, 20, 0}, "30.0s"}};
  c.width = 600;
  return c;
}

double sum_widths(const std::string& html, const std::string& category) {
  double sum = 0;
  for (const auto& w : all_matches(html, "width=\"([0-9.]+)\" height=\"22\" fill=\"[^\"]*\"><title>" + category + ":"))
    sum += std::stod(w);
  return sum;
}

TEST(StackedBarChart, SegmentsAreProportional) {
  const std::string html = render_stacked_bar_chart(two_bars());
  // Axis 0..60: the 60 s bar spans the plot (600 - right 70 - left), the 30 s one half of it, split 1:2.
  const double dense = sum_widths(html, "dense training");
  const double search = sum_widths(html, "search");
  const double efficient = sum_widths(html, "efficient training");
  ASSERT_GT(dense, 0);
  EXPECT_NEAR(search + efficient, dense / 2, 0.02);
  EXPECT_NEAR(efficient, 2 * search, 0.02);
  const auto xs = all_matches(html, R"re(<rect x="([0-9.]+)" y="[0-9.]+" width="[0-9.]+" height="22")re");
  ASSERT_EQ(xs.size(), 3u);
  EXPECT_NEAR(std::stod(xs[0]) + dense, 530, 0.02);  // ends at the last tick
  EXPECT_NE(html.find(">1m00s</text>"), std::string::npos);
  EXPECT_NE(html.find(">30.0s</text>"), std::string::npos);
  EXPECT_NE(html.find(">wall time (s)</text>"), std::string::npos);
  // Zero-valued segments are not drawn, and every category that occurs is in the legend.
  EXPECT_EQ(all_matches(html, R"(<rect[^>]*height="22")").size(), 3u);
  EXPECT_EQ(all_matches(html, R"(</span>([^<]*)</li>)"),
            (std::vector<std::string>{"search", "efficient training", "dense training"}));
}

TEST(StackedBarChart, LongNamesAreShortenedWithATooltip) {
  StackedBarChart c = two_bars();
  c.bars[0].label = "a-very-long-run-directory-name-with-a-seed-and-date-2026-11-27";
  c.bars[1].label = "x<y";
  const std::string html = render_stacked_bar_chart(c);
  EXPECT_NE(html.find("a-very-long-run-directory-name-\xE2\x80\xA6<title>" + c.bars[0].label + "</title>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find(">x&lt;y</text>"), std::string::npos);
  test::expect_well_formed_xml(html);
}

TEST(StackedBarChart, NegativeAndNonFiniteValuesCountAsZero) {
  StackedBarChart c = two_bars();
  c.bars = {{"r", {-5, std::numeric_limits<double>::quiet_NaN(), 10}, "10s"}};
  const std::string html = render_stacked_bar_chart(c);
  EXPECT_EQ(all_matches(html, R"(<rect[^>]*height="22")").size(), 1u);
  EXPECT_EQ(html.find("nan"), std::string::npos);
}

TEST(TimeUnit, ReadableUnits) {
  EXPECT_EQ(time_unit(0.1).name, "s");
  EXPECT_EQ(time_unit(119).name, "s");
  EXPECT_EQ(time_unit(120).name, "min");
  EXPECT_DOUBLE_EQ(time_unit(600).seconds, 60);
  EXPECT_EQ(time_unit(7200).name, "h");
  EXPECT_DOUBLE_EQ(time_unit(36000).seconds, 3600);
}

}  // namespace
}  // namespace earlybert::report
