// Reading a run directory for the report — see include/earlybert/report/run_data.h.
#include "earlybert/report/run_data.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/model/bert_config.h"
#include "earlybert/train/checkpoint_dirs.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/ticket.h"
#include "earlybert/train/trainer_state.h"
#include "earlybert/train/training_args.h"
#include "report/run_results.h"

namespace earlybert::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string required_file(const std::string& dir, const std::string& name, const std::string& why) {
  const std::string path = join_path(dir, name);
  if (!path_exists(path)) fail(path, "missing (" + why + ")");
  return path;
}

std::string run_name(const std::string& dir) {
  const auto normal = std::filesystem::path(dir).lexically_normal();
  std::string name = normal.filename().string();
  if (name.empty() || name == ".") name = normal.parent_path().filename().string();
  return name.empty() ? dir : name;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::optional<double> distance(double d) { return d >= 0 ? std::optional<double>(d) : std::nullopt; }

TicketHistory history_of(const Ticket& ticket, const std::string& source) {
  TicketHistory h;
  h.draw_step = ticket.draw_step;
  h.reason = ticket.reason;
  h.threshold = ticket.ticket_threshold;
  h.window = ticket.ticket_window;
  h.source = source;
  for (const EarlyBirdRecord& rec : ticket.distance_history)
    h.distances.push_back({rec.step, distance(rec.dist_heads), distance(rec.dist_ffn), distance(rec.window_max_heads),
                           distance(rec.window_max_ffn)});
  return h;
}

}  // namespace

std::string to_string(Phase phase) {
  switch (phase) {
    case Phase::search:
      return "search";
    case Phase::efficient:
      return "efficient";
    case Phase::dense:
      return "dense";
  }
  return "?";
}

RunData read_run_data(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) fail(dir, "no such run directory");
  const std::string finished = "is '" + dir + "' the output_dir of a finished training run?";
  RunData r;
  r.dir = dir;
  r.name = run_name(dir);

  RunResults results = read_run_results(dir);
  r.metrics = std::move(results.metrics);
  r.times = results.times;
  r.params_initial = results.params_initial;
  r.params_final = results.params_final;

  const TrainerState state = TrainerState::load(required_file(dir, "trainer_state.json", finished));
  r.global_step = state.global_step;
  r.draw_step = state.draw_step;
  r.draw_reason = state.draw_reason;

  const std::string metrics_path = required_file(dir, "metrics.jsonl", finished);
  std::map<Phase, std::pair<double, int64_t>> tps;
  for (const MetricsRecord& rec : read_metrics_jsonl(metrics_path)) {
    if (rec.phase == "eval") {
      EvalPoint e{rec.step, {}};
      for (const auto& [key, value] : rec.extra)
        if (key.rfind("eval_", 0) == 0 && !ends_with(key, "runtime")) e.metrics[key] = value;
      if (!e.metrics.empty()) r.evaluations.push_back(std::move(e));
      continue;
    }
    Phase phase;
    if (rec.phase == "search") {
      phase = Phase::search;
    } else if (rec.phase == "efficient") {
      phase = Phase::efficient;
    } else if (rec.phase == "dense") {
      phase = Phase::dense;
    } else {
      fail(metrics_path, "key 'phase' of step " + std::to_string(rec.step) + ": unknown phase '" + rec.phase +
                             "' (expected search, efficient, dense or eval)");
    }
    r.training.push_back({rec.step, phase, rec.loss && std::isfinite(*rec.loss) ? *rec.loss : kNaN});
    if (rec.tokens_per_s && std::isfinite(*rec.tokens_per_s)) {
      auto& [sum, n] = tps[phase];
      sum += *rec.tokens_per_s;
      ++n;
    }
  }
  for (const auto& [phase, sn] : tps) r.tokens_per_s[phase] = sn.first / static_cast<double>(sn.second);

  // The ticket: the run's own ticket.json once drawn (or given); while the search never drew, the
  // newest checkpoint's copy still holds the distance history.
  const std::string ticket_path = join_path(dir, "ticket.json");
  std::optional<Ticket> ticket;
  if (r.draw_step >= 0) {
    ticket =
        Ticket::load(required_file(dir, "ticket.json", "the run drew a ticket at step " + std::to_string(r.draw_step)));
    r.ticket = history_of(*ticket, ticket_path);
  } else if (path_exists(ticket_path)) {
    ticket = Ticket::load(ticket_path);
    r.ticket = history_of(*ticket, ticket_path);
  } else {
    const std::string latest = latest_checkpoint(dir);
    const std::string in_checkpoint = latest.empty() ? "" : join_path(latest, "ticket.json");
    if (!in_checkpoint.empty() && path_exists(in_checkpoint))
      r.ticket = history_of(Ticket::load(in_checkpoint), in_checkpoint);
  }
  if (r.draw_step >= 0 && ticket && !ticket->plan.layers.empty()) {
    r.structure = structure_from_plan(ticket->plan);
    r.structure_source = "ticket.json";
  } else if (path_exists(join_path(dir, "config.json"))) {
    r.structure = structure_from_config(BertConfig::load(join_path(dir, "config.json")));
    r.structure_source = "config.json";
  }

  const std::string config_path = join_path(dir, "config.yaml");
  if (path_exists(config_path)) {
    TrainingArguments args;
    apply_config_file(args, config_path);
    r.task = args.task;
    r.ticket_mode = args.ticket.empty() ? args.ticket_mode : "ticket " + args.ticket;
  }
  return r;
}

}  // namespace earlybert::report
