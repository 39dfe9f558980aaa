// The HTML report page — see include/earlybert/report/report.h.
#include "earlybert/report/report.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "earlybert/base/error.h"
#include "earlybert/report/bar_chart.h"
#include "earlybert/report/comparison_table.h"
#include "earlybert/report/format.h"
#include "earlybert/report/html.h"
#include "earlybert/report/legend.h"
#include "earlybert/report/line_chart.h"
#include "earlybert/report/structure_chart.h"

namespace earlybert::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Okabe & Ito's colour-blind-safe palette (without its yellow, too pale on white), then two darks.
const char* const kRunColors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                  "#E69F00", "#56B4E9", "#000000", "#8C564B"};

std::string run_color(size_t i) { return kRunColors[i % (sizeof kRunColors / sizeof kRunColors[0])]; }

std::string phase_color(Phase p) {
  switch (p) {
    case Phase::Search:
      return "#E69F00";
    case Phase::Efficient:
      return "#009E73";
    case Phase::Dense:
      return "#56B4E9";
    case Phase::Eval:
      break;
  }
  return "#999999";
}

std::string phase_label(Phase p) {
  switch (p) {
    case Phase::Search:
      return "search";
    case Phase::Efficient:
      return "efficient training";
    case Phase::Dense:
      return "dense training";
    case Phase::Eval:
      break;
  }
  return "?";
}

const char* const kStyle = R"css(
body { font-family: sans-serif; color: #222; margin: 24px auto; max-width: 1100px; padding: 0 16px; line-height: 1.4; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 18px; border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 36px; }
ul.runs { font-size: 13px; padding-left: 0; list-style: none; }
ul.runs li { margin: 2px 0; }
code { font-size: 12px; color: #555; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 10px; text-align: left; }
thead th { background: #f4f4f4; }
tbody th { font-weight: normal; color: #444; }
td { text-align: right; font-variant-numeric: tabular-nums; }
.grid { display: flex; flex-wrap: wrap; gap: 20px 28px; align-items: flex-start; }
figure.chart { margin: 0; width: fit-content; max-width: 100%; }
figure.chart figcaption { font-weight: bold; font-size: 14px; margin-bottom: 4px; width: 0; min-width: 100%; }
figcaption .sub { display: block; font-weight: normal; color: #555; font-size: 12px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
ul.legend { list-style: none; padding: 0; margin: 6px 0 0; font-size: 12px; display: flex; flex-wrap: wrap;
            gap: 3px 14px; width: 0; min-width: 100%; }
ul.legend li { display: flex; align-items: center; gap: 5px; }
.sw { display: inline-block; flex: none; }
.sw.line { width: 20px; height: 0; }
.sw.box { width: 11px; height: 11px; box-sizing: border-box; }
p.note { color: #666; font-size: 13px; }
footer { margin-top: 40px; color: #888; font-size: 12px; }
)css";

/// Letters, digits, '-' and '_' of `text` (other bytes as '_'): a safe element id.
std::string id_part(const std::string& text) {
  std::string out;
  for (const char c : text) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return out;
}

std::string swatch(const std::string& color) {
  return "<span class=\"sw box\" style=\"background:" + escape_html(color) + "\"></span>";
}

int64_t last_step(const RunData& r) {
  int64_t s = r.global_step;
  for (const auto& p : r.training) s = std::max(s, p.step);
  for (const auto& e : r.evaluations) s = std::max(s, e.step);
  return s;
}

std::string draw_text(const RunData& r) {
  if (r.draw_reason == DrawReason::Given) return "ticket given (no search)";
  if (r.draw_reason == DrawReason::PrunedModel) return "model pruned before (no search)";
  if (r.draw_step >= 0) return "drawn at step " + std::to_string(r.draw_step) + " (" + to_string(r.draw_reason) + ")";
  return "";
}

// --- sections --------------------------------------------------------------------------------------

std::string runs_list(const std::vector<RunData>& runs) {
  std::string html = "<ul class=\"runs\">";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunData& r = runs[i];
    html +=
        "<li>" + swatch(run_color(i)) + " <b>" + escape_html(r.name) + "</b> <code>" + escape_html(r.dir) + "</code>";
    std::string about = r.task;
    if (!r.ticket_mode.empty()) about += (about.empty() ? "" : ", ") + r.ticket_mode;
    const std::string draw = draw_text(r);
    if (!draw.empty()) about += (about.empty() ? "" : ", ") + draw;
    if (!about.empty()) html += " — " + escape_html(about);
    html += "</li>";
  }
  return html + "</ul>";
}

std::string comparison_section(const std::vector<RunData>& runs) {
  const std::vector<TableRow> rows = comparison_rows(runs);
  std::string html = "<section id=\"comparison\"><h2>Comparison</h2><table><thead><tr><th>" +
                     escape_html(rows.front().label) + "</th>";
  for (size_t i = 0; i < rows.front().cells.size(); ++i)
    html += "<th>" + swatch(run_color(i)) + " " + escape_html(rows.front().cells[i]) + "</th>";
  html += "</tr></thead><tbody>";
  for (size_t r = 1; r < rows.size(); ++r) {
    html += "<tr><th scope=\"row\">" + escape_html(rows[r].label) + "</th>";
    for (const std::string& cell : rows[r].cells) html += "<td>" + escape_html(cell) + "</td>";
    html += "</tr>";
  }
  return html + "</tbody></table></section>";
}

std::string time_section(const std::vector<RunData>& runs) {
  double longest = 0;
  for (const RunData& r : runs) longest = std::max(longest, r.times.total);
  const TimeUnit unit = time_unit(longest);
  StackedBarChart chart;
  chart.id = "time-chart";
  chart.title = "Wall time per phase";
  chart.x_label = "wall time (" + unit.name + ")";
  chart.categories = {"search", "efficient training", "dense training", "evaluation", "checkpoints", "other"};
  chart.colors = {phase_color(Phase::Search),
                  phase_color(Phase::Efficient),
                  phase_color(Phase::Dense),
                  "#999999",
                  "#C8C8C8",
                  "#E6E6E6"};
  for (const RunData& r : runs) {
    const PhaseTimes& t = r.times;
    const double other = std::max(0.0, t.total - t.search - t.efficient - t.dense - t.eval - t.checkpoint);
    StackedBar bar;
    bar.label = r.name;
    for (double s : {t.search, t.efficient, t.dense, t.eval, t.checkpoint, other})
      bar.values.push_back(s / unit.seconds);
    bar.total_label = format_seconds(t.total);
    chart.bars.push_back(std::move(bar));
  }
  return "<section id=\"time\"><h2>Time per phase</h2>" + render_stacked_bar_chart(chart) + "</section>";
}

/// The phases of a run as x ranges: a logging record at step s of phase p covers (previous step, s].
std::vector<Band> phase_bands(const RunData& r) {
  std::vector<Band> bands;
  int64_t prev = 0;
  for (const TrainingPoint& p : r.training) {
    if (!bands.empty() && bands.back().label == phase_label(p.phase)) {
      bands.back().x1 = static_cast<double>(p.step);
    } else {
      bands.push_back(
          {static_cast<double>(prev), static_cast<double>(p.step), phase_label(p.phase), phase_color(p.phase)});
    }
    prev = p.step;
  }
  // The draw is the boundary between search and efficient training, wherever the logging fell.
  if (r.draw_step > 0)
    for (size_t i = 0; i + 1 < bands.size(); ++i)
      if (bands[i].label == phase_label(Phase::Search) && bands[i + 1].label == phase_label(Phase::Efficient))
        bands[i].x1 = bands[i + 1].x0 = static_cast<double>(r.draw_step);
  return bands;
}

std::string loss_section(const std::vector<RunData>& runs) {
  // Shared axes, so that the panels compare at a glance.
  double max_step = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
  auto add = [&](double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  for (const RunData& r : runs) {
    max_step = std::max(max_step, static_cast<double>(last_step(r)));
    for (const TrainingPoint& p : r.training) add(p.loss);
    for (const EvalPoint& e : r.evaluations) {
      const auto it = e.metrics.find("eval_loss");
      if (it != e.metrics.end()) add(it->second);
    }
  }
  std::string html = "<section id=\"loss\"><h2>Training loss</h2><div class=\"grid\">";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunData& r = runs[i];
    LineChart c;
    c.id = "loss-" + std::to_string(i);
    c.title = r.name;
    c.x_label = "optimizer step";
    c.y_label = "loss";
    Series train{"training loss", {}, {}, run_color(i)};
    for (const TrainingPoint& p : r.training) {
      train.x.push_back(static_cast<double>(p.step));
      train.y.push_back(p.loss);
    }
    c.series.push_back(std::move(train));
    Series eval{"eval loss", {}, {}, "#444444", LineStyle::dashed, true};
    for (const EvalPoint& e : r.evaluations) {
      const auto it = e.metrics.find("eval_loss");
      if (it == e.metrics.end()) continue;
      eval.x.push_back(static_cast<double>(e.step));
      eval.y.push_back(it->second);
    }
    if (!eval.x.empty()) c.series.push_back(std::move(eval));
    c.bands = phase_bands(r);
    if (r.draw_step > 0)
      c.vertical.push_back(
          {static_cast<double>(r.draw_step), "draw @ " + std::to_string(r.draw_step), "#000000", LineStyle::dashed});
    c.x_domain = std::make_pair(0.0, max_step);
    if (lo <= hi) c.y_domain = std::make_pair(lo, hi);
    html += render_line_chart(c);
  }
  return html + "</div></section>";
}

std::string evaluation_section(const std::vector<RunData>& runs) {
  std::set<std::string> keys;
  double max_step = 0;
  for (const RunData& r : runs) {
    max_step = std::max(max_step, static_cast<double>(last_step(r)));
    for (const EvalPoint& e : r.evaluations)
      for (const auto& [k, v] : e.metrics) keys.insert(k);
  }
  std::string html = "<section id=\"evaluation\"><h2>Evaluation</h2>";
  if (keys.empty()) return html + "<p class=\"note\">No evaluations were logged in metrics.jsonl.</p></section>";
  html += "<div class=\"grid\">";
  for (const std::string& key : keys) {
    LineChart c;
    c.id = "eval-" + id_part(key);
    c.title = key;
    c.x_label = "optimizer step";
    c.y_label = key.substr(5);  // without "eval_"
    for (size_t i = 0; i < runs.size(); ++i) {
      Series s{runs[i].name, {}, {}, run_color(i), LineStyle::solid, true};
      for (const EvalPoint& e : runs[i].evaluations) {
        const auto it = e.metrics.find(key);
        if (it == e.metrics.end()) continue;
        s.x.push_back(static_cast<double>(e.step));
        s.y.push_back(it->second);
      }
      if (!s.x.empty()) c.series.push_back(std::move(s));
      if (runs[i].draw_step > 0)
        c.vertical.push_back({static_cast<double>(runs[i].draw_step),
                              "draw of " + runs[i].name + " @ " + std::to_string(runs[i].draw_step), run_color(i),
                              LineStyle::dashed});
    }
    c.x_domain = std::make_pair(0.0, max_step);
    html += render_line_chart(c);
  }
  return html + "</div></section>";
}

std::string distance_section(const std::vector<RunData>& runs) {
  std::string html = "<section id=\"distances\"><h2>Mask distances</h2>";
  double max_step = 0, max_d = 0;
  std::vector<std::string> without;
  for (const RunData& r : runs) {
    if (!r.ticket || r.ticket->distances.empty()) {
      without.push_back(r.name);
      continue;
    }
    max_d = std::max({max_d, r.ticket->allowed_heads, r.ticket->allowed_ffn});
    for (const DistancePoint& d : r.ticket->distances) {
      max_step = std::max(max_step, static_cast<double>(d.step));
      for (const auto& v : {d.heads, d.ffn, d.window_max_heads, d.window_max_ffn})
        if (v) max_d = std::max(max_d, *v);
    }
  }
  html +=
      "<p class=\"note\">Normalized Hamming distance between the pruning masks of consecutive early-bird checks "
      "(solid) and the largest distance to the masks of the last window of checks (dashed); the ticket is drawn "
      "when the window maxima of heads and FFN are both within the distance allowed for their kind (dotted).</p>";
  if (without.size() < runs.size()) html += "<div class=\"grid\">";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunData& r = runs[i];
    if (!r.ticket || r.ticket->distances.empty()) continue;
    const TicketHistory& t = *r.ticket;
    LineChart c;
    c.id = "distance-" + std::to_string(i);
    c.title = r.draw_reason == DrawReason::Given ? r.name + " (the given ticket's search)" : r.name;
    c.x_label = "optimizer step";
    c.y_label = "mask distance";
    Series heads{"heads", {}, {}, "#0072B2", LineStyle::solid, true};
    Series ffn{"FFN", {}, {}, "#D55E00", LineStyle::solid, true};
    Series wheads{"heads, window max", {}, {}, "#0072B2", LineStyle::dashed, false};
    Series wffn{"FFN, window max", {}, {}, "#D55E00", LineStyle::dashed, false};
    for (const DistancePoint& d : t.distances) {
      const double x = static_cast<double>(d.step);
      heads.x.push_back(x);
      heads.y.push_back(d.heads.value_or(kNaN));
      ffn.x.push_back(x);
      ffn.y.push_back(d.ffn.value_or(kNaN));
      wheads.x.push_back(x);
      wheads.y.push_back(d.window_max_heads.value_or(kNaN));
      wffn.x.push_back(x);
      wffn.y.push_back(d.window_max_ffn.value_or(kNaN));
    }
    c.series = {heads, ffn};
    const bool any_window = std::any_of(t.distances.begin(), t.distances.end(),
                                        [](const DistancePoint& d) { return d.window_max_heads || d.window_max_ffn; });
    if (any_window) {
      c.series.push_back(wheads);
      c.series.push_back(wffn);
    }
    // The rule's two limits, in the colour of their kind: with ticket_min_swaps they differ (one
    // swapped head of 16 is 0.125, one neuron of 4096 far less than the threshold).
    char heads_label[48], ffn_label[48];
    std::snprintf(heads_label, sizeof heads_label, "heads allowed %g", t.allowed_heads);
    std::snprintf(ffn_label, sizeof ffn_label, "FFN allowed %g", t.allowed_ffn);
    c.horizontal.push_back({t.allowed_heads, heads_label, "#0072B2", LineStyle::dotted});
    c.horizontal.push_back({t.allowed_ffn, ffn_label, "#D55E00", LineStyle::dotted});
    if (t.draw_step >= 0)
      c.vertical.push_back({static_cast<double>(t.draw_step),
                            "draw @ " + std::to_string(t.draw_step) + " (" + to_string(t.reason) + ")", "#000000",
                            LineStyle::dashed});
    c.x_domain = std::make_pair(0.0, max_step);
    c.y_domain = std::make_pair(0.0, max_d > 0 ? max_d : 1.0);
    html += render_line_chart(c);
  }
  if (without.size() < runs.size()) html += "</div>";
  if (!without.empty()) {
    std::string names;
    for (const auto& n : without) names += (names.empty() ? "" : ", ") + n;
    html += "<p class=\"note\">No early-bird search recorded: " + escape_html(names) + ".</p>";
  }
  return html + "</section>";
}

std::string structure_section(const std::vector<RunData>& runs) {
  std::string html = "<section id=\"structure\"><h2>Pruned structure</h2><div class=\"grid\">";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunData& r = runs[i];
    StructureChart c;
    c.id = "structure-" + std::to_string(i);
    c.title = r.name;
    c.layers = r.structure;
    c.color = run_color(i);
    const std::string counts = std::to_string(kept_heads(r.structure)) + "/" +
                               std::to_string(total_heads(r.structure)) + " heads, " +
                               std::to_string(kept_neurons(r.structure)) + "/" +
                               std::to_string(total_neurons(r.structure)) + " FFN neurons kept";
    if (r.structure.empty()) {
      c.subtitle = "neither ticket.json nor config.json";
    } else if (r.structure_source == "ticket.json") {
      c.subtitle =
          (r.draw_reason == DrawReason::Given ? std::string("given ticket") : "ticket " + draw_text(r)) + ": " + counts;
    } else {
      c.subtitle = std::string(r.ticket ? "search never drew" : "no ticket") + " (config.json): " + counts;
    }
    html += render_structure_chart(c);
  }
  return html + "</div></section>";
}

}  // namespace

std::string render_report(const std::vector<RunData>& runs, const ReportOptions& options) {
  if (runs.empty()) fail("report", "no runs to report on");
  std::string title = options.title;
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/><title>" +
      escape_html(title) + "</title><style>" + kStyle + "</style></head><body>";
  html += "<header><h1>" + escape_html(title) + "</h1>" + runs_list(runs) + "</header>";
  html += comparison_section(runs);
  html += time_section(runs);
  html += loss_section(runs);
  html += evaluation_section(runs);
  html += distance_section(runs);
  html += structure_section(runs);
  html += "<footer>Written by <code>earlybert report</code> from the files of " + std::to_string(runs.size()) +
          (runs.size() == 1 ? " run" : " runs") + ".</footer></body></html>\n";
  return html;
}

}  // namespace earlybert::report
