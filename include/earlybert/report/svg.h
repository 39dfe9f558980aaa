// Small building blocks of the report's inline SVG: numbers, line paths, and a text-width estimate for
// laying labels out without a font engine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace earlybert::report {

/// A coordinate as SVG wants it: at most two decimals, no trailing zeros, "-0" as "0" ("12.5", "3").
/// A non-finite value is a programming error here (charts drop such points before), reported as
/// std::invalid_argument rather than an attribute browsers would reject.
std::string svg_number(double value);

struct Point {
  double x = 0;
  double y = 0;
};

/// Path data ("M x y L x y ...") through `points` in order. A point with a non-finite coordinate is a
/// gap: the line stops before it and starts again (a new "M") after it. Empty when no point is finite.
std::string path_data(const std::vector<Point>& points);

/// Rough width in pixels of `text` in the report's sans-serif font at `font_size` px (0.6 em per
/// character, counted in code points) — enough to keep labels from overlapping.
double text_width(std::string_view text, double font_size);

}  // namespace earlybert::report
