// Horizontal stacked bars as inline SVG — see include/earlybert/report/bar_chart.h.
#include "earlybert/report/bar_chart.h"

#include <algorithm>
#include <cmath>

#include "earlybert/report/axis.h"
#include "earlybert/report/html.h"
#include "earlybert/report/legend.h"
#include "earlybert/report/svg.h"

namespace earlybert::report {
namespace {

constexpr double kFont = 11;
constexpr double kLabelFont = 12;
constexpr double kBarHeight = 22;
constexpr double kBarGap = 10;
constexpr size_t kMaxLabelChars = 32;

std::string attr(const std::string& name, double v) { return " " + name + "=\"" + svg_number(v) + "\""; }

double clean(double v) { return std::isfinite(v) && v > 0 ? v : 0; }

}  // namespace

TimeUnit time_unit(double max_seconds) {
  if (max_seconds < 120) return {"s", 1};
  if (max_seconds < 7200) return {"min", 60};
  return {"h", 3600};
}

std::string render_stacked_bar_chart(const StackedBarChart& chart) {
  const double width = chart.width;
  double max_total = 0, label_width = 0;
  for (const StackedBar& bar : chart.bars) {
    double total = 0;
    for (double v : bar.values) total += clean(v);
    max_total = std::max(max_total, total);
    label_width = std::max(label_width, text_width(truncate_label(bar.label, kMaxLabelChars), kLabelFont));
  }
  const Axis xa = nice_axis(0, max_total > 0 ? max_total : 1, 6);
  const double left = std::min(label_width + 16, width * 0.3);
  const double right = 70;  // room for the total after the longest bar
  const double top = 8;
  const double plot_height = static_cast<double>(chart.bars.size()) * (kBarHeight + kBarGap);
  const double height = top + plot_height + 44;
  const double px0 = left, px1 = width - right, py1 = top + plot_height;
  const LinearScale sx{xa.min, xa.max, px0, px1};

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + svg_number(width) + " " +
                    svg_number(height) + "\"" + attr("width", width) + attr("height", height) +
                    " font-family=\"sans-serif\" font-size=\"" + svg_number(kFont) + "\" role=\"img\">";
  svg += "<title>" + escape_html(chart.title) + "</title>";
  svg += "<g stroke=\"#e3e3e3\" stroke-width=\"1\">";
  for (double t : xa.ticks)
    svg += "<line" + attr("x1", sx(t)) + attr("x2", sx(t)) + attr("y1", top) + attr("y2", py1) + "/>";
  svg += "</g>";

  std::vector<bool> used(chart.categories.size(), false);
  for (size_t b = 0; b < chart.bars.size(); ++b) {
    const StackedBar& bar = chart.bars[b];
    const double y = top + static_cast<double>(b) * (kBarHeight + kBarGap) + kBarGap / 2;
    const std::string shown = truncate_label(bar.label, kMaxLabelChars);
    svg += "<text" + attr("x", px0 - 8) + attr("y", y + kBarHeight / 2) + " dy=\"0.32em\" text-anchor=\"end\"" +
           " font-size=\"" + svg_number(kLabelFont) + "\" fill=\"#222222\">" + escape_html(shown);
    if (shown != bar.label) svg += "<title>" + escape_html(bar.label) + "</title>";
    svg += "</text>";
    double at = 0;
    for (size_t c = 0; c < bar.values.size() && c < chart.categories.size(); ++c) {
      const double v = clean(bar.values[c]);
      if (v <= 0) continue;
      used[c] = true;
      const double x0 = sx(at), x1 = sx(at + v);
      const std::string color = c < chart.colors.size() ? chart.colors[c] : "#999999";
      svg += "<rect" + attr("x", x0) + attr("y", y) + attr("width", std::max(x1 - x0, 0.5)) +
             attr("height", kBarHeight) + " fill=\"" + escape_html(color) + "\"><title>" +
             escape_html(chart.categories[c]) + ": " + escape_html(format_tick(v, xa.step / 100)) + "</title></rect>";
      at += v;
    }
    svg += "<text" + attr("x", sx(at) + 6) + attr("y", y + kBarHeight / 2) + " dy=\"0.32em\" fill=\"#222222\">" +
           escape_html(bar.total_label) + "</text>";
  }

  svg += "<g fill=\"#444444\">";
  for (double t : xa.ticks)
    svg += "<text" + attr("x", sx(t)) + attr("y", py1 + 16) + " text-anchor=\"middle\">" +
           escape_html(format_tick(t, xa.step)) + "</text>";
  svg += "</g><line" + attr("x1", px0) + attr("x2", px1) + attr("y1", py1) + attr("y2", py1) +
         " stroke=\"#444444\" stroke-width=\"1\"/>";
  svg += "<line" + attr("x1", px0) + attr("x2", px0) + attr("y1", top) + attr("y2", py1) +
         " stroke=\"#444444\" stroke-width=\"1\"/>";
  svg += "<text" + attr("x", (px0 + px1) / 2) + attr("y", height - 8) + " text-anchor=\"middle\" font-size=\"" +
         svg_number(kLabelFont) + "\" fill=\"#222222\">" + escape_html(chart.x_label) + "</text>";
  svg += "</svg>";

  std::vector<LegendEntry> legend;
  for (size_t c = 0; c < chart.categories.size(); ++c)
    if (used[c])
      legend.push_back({chart.categories[c], c < chart.colors.size() ? chart.colors[c] : "#999999", Swatch::box});

  std::string html = "<figure class=\"chart\"";
  if (!chart.id.empty()) html += " id=\"" + escape_html(chart.id) + "\"";
  html += "><figcaption>" + escape_html(chart.title) + "</figcaption>" + svg + legend_html(legend) + "</figure>";
  return html;
}

}  // namespace earlybert::report
