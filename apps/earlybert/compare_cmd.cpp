// `earlybert compare`: side by side, what two or more training runs achieved and what they cost — the
// table that shows EarlyBERT's saving (a dense run first, then EarlyBERT runs of the same task).
//
//   earlybert compare runs/dense runs/earlybert [--metric accuracy] [--json]
//
// Each argument is the output_dir of a finished `earlybert finetune` / `pretrain` run, read with
// read_run() (train/run_files.h, which owns the file names and keys): the final eval_* metrics and the
// wall time of every phase (eval_results.json), global step, draw step and reason (trainer_state.json),
// tokens/s per phase (metrics.jsonl), heads and FFN neurons kept (ticket.json), parameter counts
// (train_results.json), task and ticket_mode (config.yaml). A missing required file is an Error naming
// its path; malformed files name the file and key.
//
// Printed: one column per run, one row per quantity — task, ticket_mode, the eval metrics (all eval_*
// values present in any run, or the --metric ones), the draw step and reason, heads / FFN neurons /
// parameters kept, the wall time of search, efficient training, dense training, evaluation and the
// whole run (train_runtime), the time saved against the first run, and tokens/s per phase.
// --json prints the same as one JSON object per run instead.
#include <CLI/CLI.hpp>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/train/run_files.h"

namespace earlybert::cli {
namespace {

using Json = nlohmann::json;

/// What the table shows of one run, from its RunRecord (train/run_files.h).
struct RunSummary {
  std::string dir;
  std::string name;
  std::string task;                                      // "" when config.yaml is absent
  std::string ticket_mode;                               // ""     "
  std::map<std::string, std::optional<double>> metrics;  // eval_* (NaN written as null → nullopt)
  PhaseTimes times;
  int64_t global_step = 0;
  int64_t draw_step = -1;
  DrawReason draw_reason = DrawReason::NotYet;
  std::optional<int64_t> params_initial, params_final;
  int64_t heads_total = 0, heads_kept = 0, neurons_total = 0, neurons_kept = 0;
  std::map<Phase, double> tokens_per_s;  // mean over the phase's logging lines
};

RunSummary summarize(const RunRecord& run) {
  RunSummary r;
  r.dir = run.dir;
  r.name = run.name;
  r.task = run.task.value_or("");
  if (run.ticket_mode)
    r.ticket_mode = run.given_ticket.empty() ? to_string(*run.ticket_mode) : "ticket " + run.given_ticket;
  for (const auto& [key, value] : run.eval.metrics)
    r.metrics["eval_" + key] = std::isfinite(value) ? std::optional<double>(value) : std::nullopt;
  r.times = *run.eval.times;
  r.global_step = run.state.global_step;
  r.draw_step = run.state.draw_step;
  r.draw_reason = run.state.draw_reason;
  if (run.ticket) {
    for (const LayerPlan& layer : run.ticket->plan.layers) {
      r.heads_total += layer.num_heads;
      r.neurons_total += layer.intermediate_size;
    }
    r.heads_kept = run.ticket->plan.kept_heads();
    r.neurons_kept = run.ticket->plan.kept_neurons();
  }
  std::map<Phase, std::pair<double, int64_t>> tps;
  for (const MetricsRecord& rec : run.metrics) {
    if (rec.phase == Phase::Eval || !rec.tokens_per_s || !std::isfinite(*rec.tokens_per_s)) continue;
    auto& [sum, n] = tps[rec.phase];
    sum += *rec.tokens_per_s;
    ++n;
  }
  for (const auto& [phase, sn] : tps) r.tokens_per_s[phase] = sn.first / static_cast<double>(sn.second);
  if (run.train) {
    r.params_initial = run.train->params_initial;
    r.params_final = run.train->params_final;
  }
  return r;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

/// 0.8234 → "0.8234"; 81.3 → "81.30"; large values with fewer decimals.
std::string format_metric(const std::optional<double>& v) {
  if (!v) return "nan";
  const double a = std::fabs(*v);
  if (a >= 1000) return fixed(*v, 1);
  if (a >= 1.5) return fixed(*v, 2);
  return fixed(*v, 4);
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

std::string percent(double part, double whole) { return whole > 0 ? fixed(100.0 * part / whole, 1) + "%" : "-"; }

std::vector<std::string> metric_keys(const std::vector<RunSummary>& runs, const std::vector<std::string>& wanted) {
  if (!wanted.empty()) {
    std::vector<std::string> keys;
    for (const std::string& w : wanted) {
      const std::string key = w.rfind("eval_", 0) == 0 ? w : "eval_" + w;
      bool found = false;
      for (const auto& r : runs) found = found || r.metrics.count(key) > 0;
      if (!found) fail("--metric", "'" + w + "' is in none of the runs' eval_results.json");
      keys.push_back(key);
    }
    return keys;
  }
  std::set<std::string> all;
  for (const auto& r : runs)
    for (const auto& [k, v] : r.metrics) all.insert(k);
  return {all.begin(), all.end()};
}

void print_table(const std::vector<RunSummary>& runs, const std::vector<std::string>& keys) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto row = [&](const std::string& label, auto cell) {
    std::vector<std::string> cells;
    for (size_t i = 0; i < runs.size(); ++i) cells.push_back(cell(runs[i], i));
    rows.emplace_back(label, std::move(cells));
  };
  const RunSummary& first = runs.front();
  row("run", [](const RunSummary& r, size_t) { return r.name; });
  row("task", [](const RunSummary& r, size_t) { return r.task.empty() ? "?" : r.task; });
  row("ticket_mode", [](const RunSummary& r, size_t) { return r.ticket_mode.empty() ? "?" : r.ticket_mode; });
  for (const std::string& k : keys)
    row(k, [&](const RunSummary& r, size_t) {
      const auto it = r.metrics.find(k);
      return it == r.metrics.end() ? std::string("-") : format_metric(it->second);
    });
  row("updates", [](const RunSummary& r, size_t) { return std::to_string(r.global_step); });
  row("draw step (reason)", [](const RunSummary& r, size_t) {
    return r.draw_step < 0 ? std::string("-") : std::to_string(r.draw_step) + " (" + to_string(r.draw_reason) + ")";
  });
  row("heads kept", [](const RunSummary& r, size_t) {
    return r.draw_step < 0 ? std::string("all") : std::to_string(r.heads_kept) + "/" + std::to_string(r.heads_total);
  });
  row("FFN neurons kept", [](const RunSummary& r, size_t) {
    return r.draw_step < 0 ? std::string("all")
                           : std::to_string(r.neurons_kept) + "/" + std::to_string(r.neurons_total);
  });
  row("parameters", [](const RunSummary& r, size_t) {
    if (!r.params_final) return std::string("?");
    std::string s = format_count(*r.params_final);
    if (r.params_initial && *r.params_initial != *r.params_final)
      s += " (" + percent(static_cast<double>(*r.params_final), static_cast<double>(*r.params_initial)) + ")";
    return s;
  });
  // A phase the run did not have is "-" rather than "0.0s".
  auto phase_time = [](double s) { return s > 0 ? format_seconds(s) : std::string("-"); };
  row("search time", [&](const RunSummary& r, size_t) { return phase_time(r.times.search); });
  row("efficient training time", [&](const RunSummary& r, size_t) { return phase_time(r.times.efficient); });
  row("dense training time", [&](const RunSummary& r, size_t) { return phase_time(r.times.dense); });
  row("evaluation time", [](const RunSummary& r, size_t) { return format_seconds(r.times.eval); });
  row("total time", [](const RunSummary& r, size_t) { return format_seconds(r.times.total); });
  row("time saved vs " + first.name, [&](const RunSummary& r, size_t i) {
    if (i == 0) return std::string("-");
    const double saved = first.times.total - r.times.total;
    return (saved < 0 ? "-" : "") + format_seconds(std::fabs(saved)) + " (" + percent(saved, first.times.total) + ")";
  });
  for (const Phase phase : {Phase::Search, Phase::Efficient, Phase::Dense}) {
    bool any = false;
    for (const auto& r : runs) any = any || r.tokens_per_s.count(phase) > 0;
    if (!any) continue;
    row("tokens/s " + to_string(phase), [&](const RunSummary& r, size_t) {
      const auto it = r.tokens_per_s.find(phase);
      return it == r.tokens_per_s.end() ? std::string("-") : fixed(it->second, 0);
    });
  }

  size_t label_width = 0;
  for (const auto& [label, cells] : rows) label_width = std::max(label_width, label.size());
  std::vector<size_t> widths(runs.size(), 0);
  for (const auto& [label, cells] : rows)
    for (size_t i = 0; i < cells.size(); ++i) widths[i] = std::max(widths[i], cells[i].size());
  for (const auto& [label, cells] : rows) {
    std::string line = label + std::string(label_width - label.size(), ' ');
    for (size_t i = 0; i < cells.size(); ++i) line += "  " + cells[i] + std::string(widths[i] - cells[i].size(), ' ');
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << "\n";
  }
}

void print_json(const std::vector<RunSummary>& runs, const std::vector<std::string>& keys) {
  Json out = Json::array();
  for (const auto& r : runs) {
    Json j;
    j["run"] = r.dir;
    j["task"] = r.task;
    j["ticket_mode"] = r.ticket_mode;
    for (const auto& k : keys) {
      const auto it = r.metrics.find(k);
      j[k] = (it == r.metrics.end() || !it->second) ? Json() : Json(*it->second);
    }
    j["global_step"] = r.global_step;
    j["draw_step"] = r.draw_step;
    j["draw_reason"] = r.draw_step >= 0 ? to_string(r.draw_reason) : std::string();
    j["heads_kept"] = r.heads_kept;
    j["heads_total"] = r.heads_total;
    j["neurons_kept"] = r.neurons_kept;
    j["neurons_total"] = r.neurons_total;
    j["params_initial"] = r.params_initial ? Json(*r.params_initial) : Json();
    j["params_final"] = r.params_final ? Json(*r.params_final) : Json();
    j["search_runtime"] = r.times.search;
    j["efficient_runtime"] = r.times.efficient;
    j["dense_runtime"] = r.times.dense;
    j["eval_total_runtime"] = r.times.eval;
    j["train_runtime"] = r.times.total;
    j["time_saved"] = runs.front().times.total - r.times.total;
    Json tps = Json::object();
    for (const auto& [phase, v] : r.tokens_per_s) tps[to_string(phase)] = v;
    j["tokens_per_s"] = tps;
    out.push_back(std::move(j));
  }
  std::cout << out.dump(2) << "\n";
}

}  // namespace

void add_compare_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> runs;
    std::vector<std::string> metrics;
    bool json = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd =
      app.add_subcommand("compare", "Compare finished training runs: metrics, draw, wall time per phase, time saved");
  cmd->add_option("runs", o->runs, "Run output directories; the first is the reference for the time saved")
      ->required()
      ->expected(1, -1);
  cmd->add_option("--metric", o->metrics, "Show only this eval metric (accuracy, f1, ...); repeatable")
      ->allow_extra_args(false);  // one name per --metric, so run directories may follow it
  cmd->add_flag("--json", o->json, "Print JSON instead of a table");
  cmd->footer("Example:\n  earlybert compare runs/wordnet-dense runs/wordnet-earlybert");
  cmd->callback([o] {
    std::vector<RunSummary> runs;
    for (const auto& dir : o->runs) runs.push_back(summarize(read_run(dir)));
    const std::vector<std::string> keys = metric_keys(runs, o->metrics);
    if (o->json) {
      print_json(runs, keys);
    } else {
      print_table(runs, keys);
    }
  });
}

}  // namespace earlybert::cli
