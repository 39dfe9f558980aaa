// Line charts: the loss curves, the evaluation metrics and the mask distances of the report.
//
// A chart is plain data — series of (x, y) values, shaded x ranges ("bands": the phases of a run),
// vertical markers (the draw step) and horizontal ones (the early-bird threshold) — and
// render_line_chart() turns it into one <figure>: a heading, an inline <svg> with axes, ticks, axis
// labels and the lines, and a legend (legend.h). Values that are not finite (a diverged loss written
// as null) are gaps in their line, never NaN coordinates. Axes are nice_axis() over the data unless a
// domain is given, which is how small multiples share their scales.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "earlybert/report/legend.h"

namespace earlybert::report {

struct Series {
  std::string label;
  std::vector<double> x;
  std::vector<double> y;  ///< same length as x; non-finite = gap
  std::string color = "#0072B2";
  LineStyle style = LineStyle::solid;
  bool markers = false;  ///< a dot on each point (always drawn for an isolated point)
};

/// A shaded x range behind the lines, e.g. the search phase.
struct Band {
  double x0 = 0;
  double x1 = 0;
  std::string label;  ///< shown in the legend (once per label)
  std::string color;
};

/// A vertical marker at x (the draw step) or a horizontal one at y (the threshold).
struct Marker {
  double at = 0;
  std::string label;  ///< vertical: in the legend, and next to the line when it is the only one;
                      ///< horizontal: above the line, at the left
  std::string color = "#000000";
  LineStyle style = LineStyle::dashed;
};

struct LineChart {
  std::string id;  ///< id of the <figure> (letters, digits, '-', '_'); may be empty
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  std::vector<Band> bands;
  std::vector<Marker> vertical;
  std::vector<Marker> horizontal;
  std::optional<std::pair<double, double>> x_domain;  ///< default: the data, bands and markers
  std::optional<std::pair<double, double>> y_domain;  ///< default: the data and horizontal markers
  bool y_from_zero = false;                           ///< include 0 in the default y domain
  int width = 520;
  int height = 300;
};

/// One <figure class="chart"> holding the title, the SVG and the legend. A chart without any finite
/// point still gets its frame and a "no data" note, so a page always has the same sections.
std::string render_line_chart(const LineChart& chart);

}  // namespace earlybert::report
