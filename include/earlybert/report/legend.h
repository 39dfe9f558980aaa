// The legend under a chart, as HTML rather than SVG text: the browser wraps long run names onto more
// lines instead of letting them overlap, and the swatches use the same colours and dash patterns as
// the chart's lines and areas.
#pragma once

#include <string>
#include <vector>

namespace earlybert::report {

enum class LineStyle { solid, dashed, dotted };

/// The SVG stroke-dasharray of a style ("" for solid).
std::string dash_array(LineStyle style);

enum class Swatch {
  line,        ///< a short line in `color` and `style`
  box,         ///< a filled square (areas, bars, kept units)
  hollow_box,  ///< an outlined square (removed units)
  band,        ///< a pale square (shaded ranges behind a chart)
};

struct LegendEntry {
  std::string label;
  std::string color;  ///< any CSS colour, e.g. "#0072B2"
  Swatch swatch = Swatch::line;
  LineStyle style = LineStyle::solid;
};

/// <ul class="legend"> with one <li> per entry; empty string for no entries.
std::string legend_html(const std::vector<LegendEntry>& entries);

}  // namespace earlybert::report
