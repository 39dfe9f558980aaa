// Nice axes and the linear scale — see include/earlybert/report/axis.h.
#include "earlybert/report/axis.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace earlybert::report {
namespace {

/// 1, 2 or 5 times a power of ten, near `raw` (Heckbert's rounding thresholds).
double nice_step(double raw) {
  const double exponent = std::floor(std::log10(raw));
  const double base = std::pow(10.0, exponent);
  const double f = raw / base;
  double nice = 10;
  if (f < 1.5) {
    nice = 1;
  } else if (f < 3) {
    nice = 2;
  } else if (f < 7) {
    nice = 5;
  }
  return nice * base;
}

}  // namespace

Axis nice_axis(double lo, double hi, int target_ticks) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return nice_axis(0, 1, target_ticks);
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {
    // A single value: a range around it (0 -> 0..1, 5 -> 4.5..5.5, -2 -> -2.2..-1.8).
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    if (lo == 0) return nice_axis(0, 1, target_ticks);
    lo -= pad;
    hi += pad;
  }
  const int intervals = std::max(1, target_ticks - 1);
  const double step = nice_step((hi - lo) / intervals);
  Axis axis;
  axis.step = step;
  // The small tolerance keeps a bound that is a multiple of the step up to rounding (0.30000000000000004
  // with step 0.1) from getting an extra tick.
  axis.min = std::floor(lo / step + 1e-9) * step;
  axis.max = std::ceil(hi / step - 1e-9) * step;
  const auto n = static_cast<int64_t>(std::llround((axis.max - axis.min) / step));
  for (int64_t i = 0; i <= n; ++i) {
    double v = axis.min + static_cast<double>(i) * step;
    if (std::fabs(v) < step * 1e-9) v = 0;  // 0, not 1.2e-17
    axis.ticks.push_back(v);
  }
  axis.min = axis.ticks.front();
  axis.max = axis.ticks.back();
  return axis;
}

std::string format_tick(double value, double step) {
  step = std::fabs(step);
  std::string suffix;
  double scale = 1;
  // Decided by the step alone, so that every label of one axis has the same form.
  if (step >= 1e6) {
    suffix = "M";
    scale = 1e6;
  } else if (step >= 1e3) {
    suffix = "k";
    scale = 1e3;
  }
  const double v = value / scale, s = step / scale;
  int decimals = 0;
  if (s > 0 && s < 1) decimals = std::min(12, static_cast<int>(std::ceil(-std::log10(s) - 1e-9)));
  // A step like 0.25 needs one more decimal than its magnitude says.
  if (s > 0 && decimals < 12) {
    const double scaled = s * std::pow(10.0, decimals);
    if (std::fabs(scaled - std::round(scaled)) > 1e-6) ++decimals;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string text = buf;
  if (text.find_first_not_of("-0.") == std::string::npos && text[0] == '-') text.erase(0, 1);  // "-0" -> "0"
  return text + suffix;
}

double LinearScale::operator()(double value) const {
  if (domain_max == domain_min) return (range_min + range_max) / 2;
  return range_min + (value - domain_min) / (domain_max - domain_min) * (range_max - range_min);
}

}  // namespace earlybert::report
