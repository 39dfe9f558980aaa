// Horizontal stacked bars: the wall time of each run split into its phases (search, efficient
// training, dense training, evaluation, checkpoints, the rest).
//
// One bar per run, one segment per category in a fixed order and colour; the total is written at the
// end of each bar and the x axis has nice ticks (axis.h). Run names longer than the label column are
// shortened with "…" and keep their full text in a tooltip.
#pragma once

#include <string>
#include <vector>

namespace earlybert::report {

struct StackedBar {
  std::string label;           ///< the run
  std::vector<double> values;  ///< one per category, >= 0 (negative or non-finite count as 0)
  std::string total_label;     ///< text after the bar, e.g. "2m37s"
};

struct StackedBarChart {
  std::string id;
  std::string title;
  std::string x_label;                  ///< e.g. "wall time (s)"
  std::vector<std::string> categories;  ///< legend labels
  std::vector<std::string> colors;      ///< one per category
  std::vector<StackedBar> bars;
  int width = 1040;
};

/// One <figure class="chart"> with the title, the SVG (height grows with the number of bars) and a
/// legend of the categories that occur.
std::string render_stacked_bar_chart(const StackedBarChart& chart);

/// The unit a time axis reads best in for a longest bar of `max_seconds`: {"s", 1} below two minutes,
/// {"min", 60} below two hours, {"h", 3600} above.
struct TimeUnit {
  std::string name;
  double seconds = 1;
};
TimeUnit time_unit(double max_seconds);

}  // namespace earlybert::report
