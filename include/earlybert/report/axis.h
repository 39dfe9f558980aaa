// Axes of the report's charts: "nice" tick values, their labels, and the linear map from data to
// pixels.
//
// nice_axis() follows Heckbert's "nice numbers for graph labels" (Graphics Gems, 1990): the tick step
// is 1, 2 or 5 times a power of ten, chosen so that about `target_ticks` ticks cover the data, and the
// axis is widened to the ticks that enclose it — so the data never touches a frame edge between two
// ticks and every tick label is a short number (0, 0.2, 0.4 rather than 0.013, 0.257, ...).
#pragma once

#include <string>
#include <vector>

namespace earlybert::report {

struct Axis {
  double min = 0;  ///< first tick (<= the data's minimum)
  double max = 1;  ///< last tick (>= the data's maximum)
  double step = 1;
  std::vector<double> ticks;  ///< min, min + step, ..., max
};

/// The axis for data in [lo, hi] (swapped when hi < lo). A single value gets an axis around it (0..1
/// for 0); non-finite bounds give the axis 0..1.
Axis nice_axis(double lo, double hi, int target_ticks = 5);

/// A tick label: as many decimals as `step` needs (0.2 -> 1, 0.05 -> 2, 5 -> 0); with a step of a
/// thousand or more in thousands ("k"), of a million or more in millions ("M"): 12000 with step 2000
/// -> "12k", so all labels of an axis have the same form. "-0" is "0".
std::string format_tick(double value, double step);

/// The linear map of [domain_min, domain_max] onto [range_min, range_max] (range_min > range_max for
/// a y axis, whose pixels grow downwards). A domain of zero width maps everything to the middle.
struct LinearScale {
  double domain_min = 0, domain_max = 1;
  double range_min = 0, range_max = 1;
  double operator()(double value) const;
};

}  // namespace earlybert::report
