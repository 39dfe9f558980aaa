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
//
// --tickets prints the winning-ticket check instead (report/winning_ticket.h): the runs are grouped by
// their ticket_mode (none = dense, random = random structure, reinit = random re-init, every other mode a
// ticket strategy), matched by learning rate and budget, and every criterion is printed with its numbers
// and a verdict per strategy. The compared metric is --metric (default accuracy).
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
#include "earlybert/report/comparison_table.h"
#include "earlybert/report/model_structure.h"
#include "earlybert/report/run_data.h"
#include "earlybert/report/ticket_run_summary.h"
#include "earlybert/report/winning_ticket.h"

namespace earlybert::cli {
namespace {

using Json = nlohmann::json;
using report::RunData;

std::vector<std::string> metric_keys(const std::vector<RunData>& runs, const std::vector<std::string>& wanted) {
  std::vector<std::string> keys;
  for (const std::string& w : wanted) {
    const std::string key = w.rfind("eval_", 0) == 0 ? w : "eval_" + w;
    bool found = false;
    for (const auto& r : runs) found = found || r.metrics.count(key) > 0;
    if (!found) fail("--metric", "'" + w + "' is in none of the runs' eval_results.json");
    keys.push_back(key);
  }
  if (!keys.empty()) return keys;
  std::set<std::string> all;
  for (const auto& r : runs)
    for (const auto& [k, v] : r.metrics) all.insert(k);
  return {all.begin(), all.end()};
}

void print_json(const std::vector<RunData>& runs, const std::vector<std::string>& keys) {
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
    const bool drawn = r.draw_step >= 0;
    j["heads_kept"] = drawn ? report::kept_heads(r.structure) : 0;
    j["heads_total"] = drawn ? report::total_heads(r.structure) : 0;
    j["neurons_kept"] = drawn ? report::kept_neurons(r.structure) : 0;
    j["neurons_total"] = drawn ? report::total_neurons(r.structure) : 0;
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
    bool tickets = false;
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
  cmd->add_flag("--tickets", o->tickets,
                "The winning-ticket check: ticket runs vs dense seeds, random structure and random re-init, "
                "per learning rate, with the evidence (docs/TICKETS.md)");
  cmd->footer(
      "Example:\n  earlybert compare runs/wordnet-dense runs/wordnet-earlybert\n  earlybert compare --tickets "
      "--metric accuracy runs/sst2-*");
  cmd->callback([o] {
    if (o->tickets) {
      if (o->metrics.size() > 1) fail("--metric", "--tickets compares one metric");
      const std::string metric = o->metrics.empty() ? "accuracy" : o->metrics.front();
      std::vector<report::TicketRunSummary> runs;
      for (const auto& dir : o->runs) runs.push_back(report::read_ticket_run_summary(dir, metric));
      const auto checks = report::check_winning_tickets(runs, !report::lower_is_better_metric(metric));
      std::cout << report::format_winning_ticket_checks(checks, metric);
      return;
    }
    std::vector<RunData> runs;
    for (const auto& dir : o->runs) runs.push_back(report::read_run_data(dir));
    const std::vector<std::string> keys = metric_keys(runs, o->metrics);
    if (o->json) {
      print_json(runs, keys);
    } else {
      std::cout << report::format_table(report::comparison_rows(runs, keys));
    }
  });
}

}  // namespace earlybert::cli
