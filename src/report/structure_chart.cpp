// The pruned-structure picture as inline SVG — see include/earlybert/report/structure_chart.h.
#include "earlybert/report/structure_chart.h"

#include <algorithm>
#include <cmath>

#include "earlybert/report/format.h"
#include "earlybert/report/html.h"
#include "earlybert/report/legend.h"
#include "earlybert/report/svg.h"

namespace earlybert::report {
namespace {

constexpr double kFont = 11;
constexpr double kHeadsWidth = 220;  // the widest head grid; cells shrink for many heads
constexpr double kFfnWidth = 170;    // the bar of the widest FFN

std::string attr(const std::string& name, double v) { return " " + name + "=\"" + svg_number(v) + "\""; }

}  // namespace

std::string render_structure_chart(const StructureChart& chart) {
  std::string head = "<figure class=\"chart\"";
  if (!chart.id.empty()) head += " id=\"" + escape_html(chart.id) + "\"";
  head += "><figcaption>" + escape_html(chart.title);
  if (!chart.subtitle.empty()) head += " <span class=\"sub\">" + escape_html(chart.subtitle) + "</span>";
  head += "</figcaption>";
  if (chart.layers.empty()) return head + "<p class=\"note\">no structure recorded</p></figure>";

  int64_t max_heads = 1, max_neurons = 1;
  for (const LayerStructure& l : chart.layers) {
    max_heads = std::max(max_heads, l.num_heads);
    max_neurons = std::max(max_neurons, l.neurons_total);
  }
  const double pitch = std::clamp(std::floor(kHeadsWidth / static_cast<double>(max_heads)), 6.0, 18.0);
  const double cell = pitch - 3;
  const double row = std::max(pitch, 16.0);
  const double label_w = text_width("layer " + std::to_string(chart.layers.size() - 1), kFont) + 10;
  const double heads_x = label_w;
  const double heads_w = pitch * static_cast<double>(max_heads);
  const double ffn_x = heads_x + std::max(heads_w, text_width("heads", kFont)) + 24;
  const double text_x = ffn_x + kFfnWidth + 8;
  const double width = text_x + text_width("00000/00000 (100.0%)", kFont) + 8;
  const double top = 22;
  const double height = top + row * static_cast<double>(chart.layers.size()) + 6;

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + svg_number(width) + " " +
                    svg_number(height) + "\"" + attr("width", width) + attr("height", height) +
                    " font-family=\"sans-serif\" font-size=\"" + svg_number(kFont) + "\" role=\"img\">";
  svg += "<title>" + escape_html(chart.title) + "</title>";
  svg += "<g fill=\"#444444\"><text" + attr("x", heads_x) + attr("y", 12) + ">heads</text><text" + attr("x", ffn_x) +
         attr("y", 12) + ">FFN neurons</text></g>";
  const std::string color = escape_html(chart.color);
  for (size_t i = 0; i < chart.layers.size(); ++i) {
    const LayerStructure& l = chart.layers[i];
    const double y = top + row * static_cast<double>(i);
    const double cy = y + (row - cell) / 2;
    svg += "<text" + attr("x", label_w - 8) + attr("y", y + row / 2) +
           " dy=\"0.32em\" text-anchor=\"end\" fill=\"#444444\">layer " + std::to_string(i) + "</text>";
    for (int64_t h = 0; h < l.num_heads; ++h) {
      const bool kept = static_cast<size_t>(h) < l.head_kept.size() && l.head_kept[static_cast<size_t>(h)];
      const double x = heads_x + pitch * static_cast<double>(h);
      const std::string tip =
          "layer " + std::to_string(i) + ", head " + std::to_string(h) + (kept ? ": kept" : ": removed");
      if (kept) {
        svg += "<rect" + attr("x", x) + attr("y", cy) + attr("width", cell) + attr("height", cell) + " fill=\"" +
               color + "\"><title>" + tip + "</title></rect>";
      } else {
        svg += "<g stroke=\"#999999\" stroke-width=\"1\"><title>" + tip + "</title><rect" + attr("x", x + 0.5) +
               attr("y", cy + 0.5) + attr("width", cell - 1) + attr("height", cell - 1) +
               " fill=\"#ffffff\"/><path d=\"" + path_data({{x + 2, cy + 2}, {x + cell - 2, cy + cell - 2}}) + " " +
               path_data({{x + cell - 2, cy + 2}, {x + 2, cy + cell - 2}}) + "\"/></g>";
      }
    }
    const double bar_h = std::min(cell, 12.0), by = y + (row - bar_h) / 2;
    const double full = kFfnWidth * static_cast<double>(l.neurons_total) / static_cast<double>(max_neurons);
    const double kept = kFfnWidth * static_cast<double>(l.neurons_kept) / static_cast<double>(max_neurons);
    svg += "<rect" + attr("x", ffn_x) + attr("y", by) + attr("width", full) + attr("height", bar_h) + " fill=\"" +
           color + "\" fill-opacity=\"0.18\"/>";
    if (kept > 0)
      svg += "<rect" + attr("x", ffn_x) + attr("y", by) + attr("width", kept) + attr("height", bar_h) + " fill=\"" +
             color + "\"/>";
    svg += "<text" + attr("x", text_x) + attr("y", y + row / 2) + " dy=\"0.32em\" fill=\"#222222\">" +
           std::to_string(l.neurons_kept) + "/" + std::to_string(l.neurons_total) + " (" +
           format_percent(static_cast<double>(l.neurons_kept), static_cast<double>(l.neurons_total)) + ")</text>";
  }
  svg += "</svg>";

  const std::vector<LegendEntry> legend = {{"kept", chart.color, Swatch::box},
                                           {"removed head", "#999999", Swatch::hollow_box},
                                           {"removed FFN neurons", chart.color, Swatch::band}};
  return head + svg + legend_html(legend) + "</figure>";
}

}  // namespace earlybert::report
