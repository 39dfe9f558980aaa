// SVG numbers, paths and text widths — see include/earlybert/report/svg.h.
#include "earlybert/report/svg.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace earlybert::report {

std::string svg_number(double value) {
  if (!std::isfinite(value)) throw std::invalid_argument("svg_number: non-finite coordinate");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", value);
  std::string text = buf;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  if (text == "-0") text = "0";
  return text;
}

std::string path_data(const std::vector<Point>& points) {
  std::string d;
  bool pen_down = false;
  for (const Point& p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
      pen_down = false;
      continue;
    }
    if (!d.empty()) d += ' ';
    d += pen_down ? "L" : "M";
    d += svg_number(p.x) + " " + svg_number(p.y);
    pen_down = true;
  }
  return d;
}

double text_width(std::string_view text, double font_size) {
  size_t chars = 0;
  for (const char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;  // count code points, not bytes
  return 0.6 * font_size * static_cast<double>(chars);
}

}  // namespace earlybert::report
