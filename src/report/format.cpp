// Table number formats — see include/earlybert/report/format.h. They match `earlybert compare`'s
// (apps/earlybert/compare_cmd.cpp) character for character; test_format.cpp pins them down.
#include "earlybert/report/format.h"

#include <cmath>
#include <cstdio>

namespace earlybert::report {
namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

}  // namespace

std::string format_metric(const std::optional<double>& value) {
  if (!value) return "nan";
  const double a = std::fabs(*value);
  if (a >= 1000) return fixed(*value, 1);
  if (a >= 1.5) return fixed(*value, 2);
  return fixed(*value, 4);
}

std::string format_seconds(double s) {
  if (s < 60) return fixed(s, 1) + "s";
  const auto t = static_cast<int64_t>(std::llround(s));
  if (t < 3600) return std::to_string(t / 60) + "m" + (t % 60 < 10 ? "0" : "") + std::to_string(t % 60) + "s";
  return std::to_string(t / 3600) + "h" + ((t % 3600) / 60 < 10 ? "0" : "") + std::to_string((t % 3600) / 60) + "m";
}

std::string format_count(int64_t n) {
  if (n >= 1000000) return fixed(static_cast<double>(n) / 1e6, 2) + "M";
  if (n >= 10000) return fixed(static_cast<double>(n) / 1e3, 1) + "k";
  return std::to_string(n);
}

std::string format_percent(double part, double whole) { return whole > 0 ? fixed(100.0 * part / whole, 1) + "%" : "-"; }

}  // namespace earlybert::report
