// Chart legends as HTML — see include/earlybert/report/legend.h.
#include "earlybert/report/legend.h"

#include "earlybert/report/html.h"

namespace earlybert::report {

std::string dash_array(LineStyle style) {
  switch (style) {
    case LineStyle::dashed:
      return "6 4";
    case LineStyle::dotted:
      return "1.5 3";
    case LineStyle::solid:
      break;
  }
  return "";
}

std::string legend_html(const std::vector<LegendEntry>& entries) {
  if (entries.empty()) return "";
  std::string html = "<ul class=\"legend\">";
  for (const LegendEntry& e : entries) {
    const std::string color = escape_html(e.color);
    std::string style;
    switch (e.swatch) {
      case Swatch::line: {
        const char* border = e.style == LineStyle::dashed   ? "dashed"
                             : e.style == LineStyle::dotted ? "dotted"
                                                            : "solid";
        style = "border-top:2px " + std::string(border) + " " + color;
        break;
      }
      case Swatch::box:
        style = "background:" + color;
        break;
      case Swatch::hollow_box:
        style = "border:1.5px solid " + color;
        break;
      case Swatch::band:
        style = "background:" + color + ";opacity:0.35";
        break;
    }
    const char* kind = e.swatch == Swatch::line ? "sw line" : "sw box";
    html += "<li><span class=\"" + std::string(kind) + "\" style=\"" + style + "\"></span>" + escape_html(e.label) +
            "</li>";
  }
  html += "</ul>";
  return html;
}

}  // namespace earlybert::report
