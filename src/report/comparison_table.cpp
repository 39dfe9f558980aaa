// The comparison rows — see include/earlybert/report/comparison_table.h. `earlybert compare` prints
// these rows (apps/earlybert/compare_cmd.cpp), the report shows them as a table.
#include "earlybert/report/comparison_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "earlybert/report/format.h"

namespace earlybert::report {

std::vector<TableRow> comparison_rows(const std::vector<RunData>& runs, const std::vector<std::string>& metric_keys) {
  std::vector<TableRow> rows;
  if (runs.empty()) return rows;
  auto row = [&](const std::string& label, auto cell) {
    TableRow r{label, {}};
    for (size_t i = 0; i < runs.size(); ++i) r.cells.push_back(cell(runs[i], i));
    rows.push_back(std::move(r));
  };
  const RunData& first = runs.front();
  row("run", [](const RunData& r, size_t) { return r.name; });
  row("task", [](const RunData& r, size_t) { return r.task.empty() ? std::string("?") : r.task; });
  row("ticket_mode", [](const RunData& r, size_t) { return r.ticket_mode.empty() ? std::string("?") : r.ticket_mode; });
  std::set<std::string> all;
  for (const RunData& r : runs)
    for (const auto& [k, v] : r.metrics) all.insert(k);
  const std::vector<std::string> keys =
      metric_keys.empty() ? std::vector<std::string>(all.begin(), all.end()) : metric_keys;
  for (const std::string& k : keys)
    row(k, [&](const RunData& r, size_t) {
      const auto it = r.metrics.find(k);
      return it == r.metrics.end() ? std::string("-") : format_metric(it->second);
    });
  row("updates", [](const RunData& r, size_t) { return std::to_string(r.global_step); });
  row("draw step (reason)", [](const RunData& r, size_t) {
    return r.draw_step < 0 ? std::string("-") : std::to_string(r.draw_step) + " (" + to_string(r.draw_reason) + ")";
  });
  row("heads kept", [](const RunData& r, size_t) {
    return r.draw_step < 0 ? std::string("all")
                           : std::to_string(kept_heads(r.structure)) + "/" + std::to_string(total_heads(r.structure));
  });
  row("FFN neurons kept", [](const RunData& r, size_t) {
    return r.draw_step < 0
               ? std::string("all")
               : std::to_string(kept_neurons(r.structure)) + "/" + std::to_string(total_neurons(r.structure));
  });
  row("parameters", [](const RunData& r, size_t) {
    if (!r.params_final) return std::string("?");
    std::string s = format_count(*r.params_final);
    if (r.params_initial && *r.params_initial != *r.params_final)
      s += " (" + format_percent(static_cast<double>(*r.params_final), static_cast<double>(*r.params_initial)) + ")";
    return s;
  });
  // A phase the run did not have is "-" rather than "0.0s".
  auto phase_time = [](double s) { return s > 0 ? format_seconds(s) : std::string("-"); };
  row("search time", [&](const RunData& r, size_t) { return phase_time(r.times.search); });
  row("efficient training time", [&](const RunData& r, size_t) { return phase_time(r.times.efficient); });
  row("dense training time", [&](const RunData& r, size_t) { return phase_time(r.times.dense); });
  row("evaluation time", [](const RunData& r, size_t) { return format_seconds(r.times.eval); });
  row("total time", [](const RunData& r, size_t) { return format_seconds(r.times.total); });
  row("time saved vs " + first.name, [&](const RunData& r, size_t i) {
    if (i == 0) return std::string("-");
    const double saved = first.times.total - r.times.total;
    return (saved < 0 ? "-" : "") + format_seconds(std::fabs(saved)) + " (" + format_percent(saved, first.times.total) +
           ")";
  });
  for (const Phase phase : {Phase::Search, Phase::Efficient, Phase::Dense}) {
    bool any = false;
    for (const RunData& r : runs) any = any || r.tokens_per_s.count(phase) > 0;
    if (!any) continue;
    row("tokens/s " + to_string(phase), [&](const RunData& r, size_t) {
      const auto it = r.tokens_per_s.find(phase);
      if (it == r.tokens_per_s.end()) return std::string("-");
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.0f", it->second);
      return std::string(buf);
    });
  }
  return rows;
}

std::string format_table(const std::vector<TableRow>& rows) {
  size_t label_width = 0;
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    label_width = std::max(label_width, row.label.size());
    if (widths.size() < row.cells.size()) widths.resize(row.cells.size(), 0);
    for (size_t i = 0; i < row.cells.size(); ++i) widths[i] = std::max(widths[i], row.cells[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = row.label + std::string(label_width - row.label.size(), ' ');
    for (size_t i = 0; i < row.cells.size(); ++i)
      line += "  " + row.cells[i] + std::string(widths[i] - row.cells[i].size(), ' ');
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace earlybert::report
