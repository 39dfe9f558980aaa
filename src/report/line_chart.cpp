// Line charts as inline SVG — see include/earlybert/report/line_chart.h.
#include "earlybert/report/line_chart.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "earlybert/report/axis.h"
#include "earlybert/report/html.h"
#include "earlybert/report/svg.h"

namespace earlybert::report {
namespace {

constexpr double kFont = 11;           // tick labels, marker labels
constexpr double kLabelFont = 12;      // axis labels
constexpr int kMaxMarkersDrawn = 400;  // dots on more points than this are noise, not information

struct Range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
};

std::string attr(const std::string& name, double v) { return " " + name + "=\"" + svg_number(v) + "\""; }

std::string dash_attr(LineStyle style) {
  const std::string d = dash_array(style);
  return d.empty() ? "" : " stroke-dasharray=\"" + d + "\"";
}

/// <text> with a white halo, so that a label stays readable over lines and grid.
std::string halo_text(double x, double y, const std::string& anchor, const std::string& text,
                      const std::string& color = "#222222") {
  return "<text" + attr("x", x) + attr("y", y) + " text-anchor=\"" + anchor + "\" fill=\"" + escape_html(color) +
         "\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">" + escape_html(text) + "</text>";
}

}  // namespace

std::string render_line_chart(const LineChart& chart) {
  const double width = chart.width, height = chart.height;

  // --- domains ---------------------------------------------------------------------------------
  Range xr, yr;
  bool any_point = false;
  for (const Series& s : chart.series) {
    const size_t n = std::min(s.x.size(), s.y.size());
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      xr.add(s.x[i]);
      yr.add(s.y[i]);
      any_point = true;
    }
  }
  for (const Band& b : chart.bands) {
    xr.add(b.x0);
    xr.add(b.x1);
  }
  for (const Marker& m : chart.vertical) xr.add(m.at);
  for (const Marker& m : chart.horizontal) yr.add(m.at);
  if (chart.y_from_zero) yr.add(0);
  if (chart.x_domain) {
    xr = Range{};
    xr.add(chart.x_domain->first);
    xr.add(chart.x_domain->second);
  }
  if (chart.y_domain) {
    yr = Range{};
    yr.add(chart.y_domain->first);
    yr.add(chart.y_domain->second);
  }
  const Axis xa = xr.empty() ? nice_axis(0, 1, 6) : nice_axis(xr.lo, xr.hi, 6);
  const Axis ya = yr.empty() ? nice_axis(0, 1, 5) : nice_axis(yr.lo, yr.hi, 5);

  // --- layout ----------------------------------------------------------------------------------
  std::vector<std::string> ytick_labels;
  double ytick_width = 0;
  for (double t : ya.ticks) {
    ytick_labels.push_back(format_tick(t, ya.step));
    ytick_width = std::max(ytick_width, text_width(ytick_labels.back(), kFont));
  }
  const double left = 8 + kLabelFont + 8 + ytick_width + 6;
  const double right = 16, top = 10, bottom = 44;
  const double px0 = left, px1 = width - right, py0 = top, py1 = height - bottom;
  const LinearScale sx{xa.min, xa.max, px0, px1};
  const LinearScale sy{ya.min, ya.max, py1, py0};

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + svg_number(width) + " " +
                    svg_number(height) + "\"" + attr("width", width) + attr("height", height) +
                    " font-family=\"sans-serif\" font-size=\"" + svg_number(kFont) + "\" role=\"img\">";
  svg += "<title>" + escape_html(chart.title) + "</title>";

  // Bands behind everything.
  for (const Band& b : chart.bands) {
    const double a = std::clamp(sx(std::min(b.x0, b.x1)), px0, px1);
    const double z = std::clamp(sx(std::max(b.x0, b.x1)), px0, px1);
    if (z - a <= 0) continue;
    svg += "<rect" + attr("x", a) + attr("y", py0) + attr("width", z - a) + attr("height", py1 - py0) + " fill=\"" +
           escape_html(b.color) + "\" fill-opacity=\"0.15\"><title>" + escape_html(b.label) + "</title></rect>";
  }

  // Grid and ticks.
  svg += "<g stroke=\"#e3e3e3\" stroke-width=\"1\">";
  for (double t : ya.ticks)
    svg += "<line" + attr("x1", px0) + attr("x2", px1) + attr("y1", sy(t)) + attr("y2", sy(t)) + "/>";
  svg += "</g><g fill=\"#444444\">";
  for (size_t i = 0; i < ya.ticks.size(); ++i)
    svg += "<text" + attr("x", px0 - 6) + attr("y", sy(ya.ticks[i])) + " dy=\"0.32em\" text-anchor=\"end\">" +
           escape_html(ytick_labels[i]) + "</text>";
  for (double t : xa.ticks)
    svg += "<text" + attr("x", sx(t)) + attr("y", py1 + 16) + " text-anchor=\"middle\">" +
           escape_html(format_tick(t, xa.step)) + "</text>";
  svg += "</g><g stroke=\"#444444\" stroke-width=\"1\">";
  for (double t : xa.ticks)
    svg += "<line" + attr("x1", sx(t)) + attr("x2", sx(t)) + attr("y1", py1) + attr("y2", py1 + 4) + "/>";
  svg += "<line" + attr("x1", px0) + attr("x2", px0) + attr("y1", py0) + attr("y2", py1) + "/>";
  svg += "<line" + attr("x1", px0) + attr("x2", px1) + attr("y1", py1) + attr("y2", py1) + "/></g>";

  // Axis labels.
  svg += "<text" + attr("x", (px0 + px1) / 2) + attr("y", height - 8) + " text-anchor=\"middle\" font-size=\"" +
         svg_number(kLabelFont) + "\" fill=\"#222222\">" + escape_html(chart.x_label) + "</text>";
  const double ylx = 8 + kLabelFont - 2, yly = (py0 + py1) / 2;
  svg += "<text" + attr("x", ylx) + attr("y", yly) + " transform=\"rotate(-90 " + svg_number(ylx) + " " +
         svg_number(yly) + ")\" text-anchor=\"middle\" font-size=\"" + svg_number(kLabelFont) + "\" fill=\"#222222\">" +
         escape_html(chart.y_label) + "</text>";

  // Markers under the lines.
  for (const Marker& m : chart.horizontal) {
    if (!std::isfinite(m.at)) continue;
    const double y = sy(m.at);
    svg += "<line" + attr("x1", px0) + attr("x2", px1) + attr("y1", y) + attr("y2", y) + " stroke=\"" +
           escape_html(m.color) + "\" stroke-width=\"1.2\"" + dash_attr(m.style) + "/>";
    if (!m.label.empty()) {
      const double ty = y - 5 < py0 + kFont ? y + kFont + 3 : y - 5;
      // At the left: distance curves start high and approach their threshold towards the right.
      svg += halo_text(px0 + 4, ty, "start", m.label, m.color);
    }
  }
  for (const Marker& m : chart.vertical) {
    if (!std::isfinite(m.at)) continue;
    const double x = sx(m.at);
    svg += "<line" + attr("x1", x) + attr("x2", x) + attr("y1", py0) + attr("y2", py1) + " stroke=\"" +
           escape_html(m.color) + "\" stroke-width=\"1.5\"" + dash_attr(m.style) + "/>";
  }
  // One vertical marker is labelled in place; several would collide, the legend names them.
  if (chart.vertical.size() == 1 && std::isfinite(chart.vertical[0].at) && !chart.vertical[0].label.empty()) {
    const Marker& m = chart.vertical[0];
    const double x = sx(m.at);
    const bool right_half = x > (px0 + px1) / 2;
    svg += halo_text(right_half ? x - 4 : x + 4, py0 + kFont + 2, right_half ? "end" : "start", m.label, m.color);
  }

  // Lines and dots.
  for (const Series& s : chart.series) {
    const size_t n = std::min(s.x.size(), s.y.size());
    std::vector<Point> pts;
    pts.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      const bool ok = std::isfinite(s.x[i]) && std::isfinite(s.y[i]);
      pts.push_back(ok ? Point{sx(s.x[i]), sy(s.y[i])}
                       : Point{std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()});
    }
    const std::string d = path_data(pts);
    if (!d.empty())
      svg += "<path d=\"" + d + "\" fill=\"none\" stroke=\"" + escape_html(s.color) +
             "\" stroke-width=\"1.8\" stroke-linejoin=\"round\"" + dash_attr(s.style) + "/>";
    std::string dots;
    for (size_t i = 0; i < pts.size(); ++i) {
      if (!std::isfinite(pts[i].y)) continue;
      const bool isolated =
          (i == 0 || !std::isfinite(pts[i - 1].y)) && (i + 1 == pts.size() || !std::isfinite(pts[i + 1].y));
      if (!isolated && !(s.markers && static_cast<int>(n) <= kMaxMarkersDrawn)) continue;
      dots += "<circle" + attr("cx", pts[i].x) + attr("cy", pts[i].y) + " r=\"2.5\"/>";
    }
    if (!dots.empty()) svg += "<g fill=\"" + escape_html(s.color) + "\">" + dots + "</g>";
  }
  if (!any_point)
    svg += "<text" + attr("x", (px0 + px1) / 2) + attr("y", (py0 + py1) / 2) +
           " text-anchor=\"middle\" fill=\"#888888\">no data</text>";
  svg += "</svg>";

  // --- legend ----------------------------------------------------------------------------------
  std::vector<LegendEntry> legend;
  for (const Series& s : chart.series)
    if (!s.label.empty()) legend.push_back({s.label, s.color, Swatch::line, s.style});
  std::set<std::string> band_labels;
  for (const Band& b : chart.bands)
    if (!b.label.empty() && band_labels.insert(b.label).second) legend.push_back({b.label, b.color, Swatch::band});
  for (const Marker& m : chart.vertical)
    if (!m.label.empty()) legend.push_back({m.label, m.color, Swatch::line, m.style});
  for (const Marker& m : chart.horizontal)
    if (!m.label.empty()) legend.push_back({m.label, m.color, Swatch::line, m.style});

  std::string html = "<figure class=\"chart\"";
  if (!chart.id.empty()) html += " id=\"" + escape_html(chart.id) + "\"";
  html += "><figcaption>" + escape_html(chart.title) + "</figcaption>" + svg + legend_html(legend) + "</figure>";
  return html;
}

}  // namespace earlybert::report
