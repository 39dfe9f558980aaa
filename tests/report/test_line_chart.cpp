// render_line_chart: data lands on the right pixels, gaps stay gaps, markers and bands are drawn and
// named, labels are escaped, and the SVG is well-formed XML.
#include <gtest/gtest.h>

#include <limits>
#include <string>

#include "earlybert/report/line_chart.h"
#include "report/report_test_util.h"

namespace earlybert::report {
namespace {

using test::all_matches;
using test::count_of;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

LineChart two_point_chart() {
  LineChart c;
  c.title = "t";
  c.x_label = "step";
  c.y_label = "loss";
  c.series.push_back({"a", {0, 10}, {0, 1}});
  c.width = 520;
  c.height = 300;
  return c;
}

TEST(LineChart, DataSpansThePlotArea) {
  const std::string html = render_line_chart(two_point_chart());
  // Axes 0..10 and 0..1: the first point is the plot's bottom-left corner, the last its top-right
  // (right margin 16, top 10, bottom 44 of a 520 x 300 chart).
  const auto paths = all_matches(html, "<path d=\"([^\"]*)\" fill=\"none\"");
  ASSERT_EQ(paths.size(), 1u) << html;
  const std::regex two(R"(M([0-9.]+) 256 L504 10)");
  EXPECT_TRUE(std::regex_match(paths[0], two)) << paths[0];
  // The y ticks are nice_axis(0, 1): 0, 0.2, ..., 1.0; x ticks 0, 2, ..., 10.
  for (const char* t : {">0.0<", ">0.2<", ">1.0<", ">2<", ">10<"}) EXPECT_NE(html.find(t), std::string::npos) << t;
  EXPECT_NE(html.find(">step</text>"), std::string::npos);
  EXPECT_NE(html.find("rotate(-90"), std::string::npos);  // the y label stands upright
}

TEST(LineChart, GivenDomainsAreShared) {
  LineChart c = two_point_chart();
  c.x_domain = std::make_pair(0.0, 20.0);
  c.y_domain = std::make_pair(0.0, 2.0);
  const auto paths = all_matches(render_line_chart(c), "<path d=\"([^\"]*)\" fill=\"none\"");
  ASSERT_EQ(paths.size(), 1u);
  // (10, 1) is now the middle of the plot: x = (left + 504) / 2, y = (256 + 10) / 2.
  const auto nums = all_matches(paths[0], R"(([0-9.]+))");
  ASSERT_EQ(nums.size(), 4u);
  const double left = std::stod(nums[0]);
  EXPECT_NEAR(std::stod(nums[2]), (left + 504) / 2, 0.01);
  EXPECT_NEAR(std::stod(nums[3]), 133, 0.01);
}

TEST(LineChart, NonFiniteValuesAreGapsNotCoordinates) {
  LineChart c = two_point_chart();
  c.series[0] = {"a", {0, 1, 2, 3, 4}, {0, 1, kNaN, 3, 4}};
  const std::string html = render_line_chart(c);
  const auto paths = all_matches(html, "<path d=\"([^\"]*)\" fill=\"none\"");
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(count_of(paths[0], "M"), 2u) << paths[0];
  EXPECT_EQ(count_of(paths[0], "L"), 2u) << paths[0];
  for (const char* bad : {"nan", "NaN", "inf"}) EXPECT_EQ(html.find(bad), std::string::npos) << bad;
}

TEST(LineChart, IsolatedPointsGetADot) {
  LineChart c = two_point_chart();
  c.series[0] = {"a", {0, 1, 2, 3}, {1, kNaN, 2, kNaN}};
  EXPECT_EQ(count_of(render_line_chart(c), "<circle"), 2u);  // both points stand alone
  c.series[0] = {"a", {0, 1, 2}, {1, 2, 3}};
  EXPECT_EQ(count_of(render_line_chart(c), "<circle"), 0u);
  c.series[0].markers = true;
  EXPECT_EQ(count_of(render_line_chart(c), "<circle"), 3u);
}

TEST(LineChart, NoFinitePointSaysNoData) {
  LineChart c = two_point_chart();
  c.series[0] = {"a", {0, 1}, {kNaN, kNaN}};
  const std::string html = render_line_chart(c);
  EXPECT_EQ(html.find("<path d="), std::string::npos);
  EXPECT_NE(html.find(">no data</text>"), std::string::npos);
  c.series.clear();
  EXPECT_NE(render_line_chart(c).find(">no data</text>"), std::string::npos);
}

TEST(LineChart, BandsAndMarkers) {
  LineChart c = two_point_chart();
  c.bands = {{0, 5, "search", "#E69F00"}, {5, 10, "efficient training", "#009E73"}};
  c.vertical = {{5, "draw @ 5", "#000000", LineStyle::dashed}};
  c.horizontal = {{0.1, "threshold 0.1", "#222222", LineStyle::dotted}};
  const std::string html = render_line_chart(c);
  // The two bands split the plot at x = 5, each as wide as half the plot.
  const auto widths = all_matches(html, R"re(<rect x="[0-9.]+" y="10" width="([0-9.]+)" height="246")re");
  ASSERT_EQ(widths.size(), 2u) << html;
  EXPECT_NEAR(std::stod(widths[0]), std::stod(widths[1]), 0.02);
  // The only vertical marker is labelled in place; all of them are in the legend.
  EXPECT_NE(html.find(">draw @ 5</text>"), std::string::npos);
  EXPECT_NE(html.find(">threshold 0.1</text>"), std::string::npos);
  EXPECT_NE(html.find("stroke-dasharray=\"6 4\""), std::string::npos);
  EXPECT_NE(html.find("stroke-dasharray=\"1.5 3\""), std::string::npos);
  const auto legend = all_matches(html, R"(</span>([^<]*)</li>)");
  EXPECT_EQ(legend, (std::vector<std::string>{"a", "search", "efficient training", "draw @ 5", "threshold 0.1"}));

  c.vertical.push_back({8, "draw of b @ 8", "#D55E00", LineStyle::dashed});
  const std::string two = render_line_chart(c);
  EXPECT_EQ(two.find(">draw @ 5</text>"), std::string::npos);  // two labels could collide: legend only
  EXPECT_NE(two.find(">draw of b @ 8</li>"), std::string::npos);
}

TEST(LineChart, LabelsAreEscapedAndTheSvgIsWellFormed) {
  LineChart c = two_point_chart();
  c.id = "loss-0";
  c.title = "run <b>&\"x\"";
  c.series[0].label = "<script>alert(1)</script>";
  c.x_label = "a<b";
  c.bands = {{0, 5, "s&p", "#E69F00"}};
  const std::string html = render_line_chart(c);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("run &lt;b&gt;&amp;&quot;x&quot;"), std::string::npos);
  EXPECT_NE(html.find("id=\"loss-0\""), std::string::npos);
  test::expect_well_formed_xml(html);
}

}  // namespace
}  // namespace earlybert::report
