// Reading a run directory for the report — see include/earlybert/report/run_data.h.
#include "earlybert/report/run_data.h"

#include <cmath>
#include <filesystem>
#include <limits>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/model/bert_config.h"
#include "earlybert/prune/early_bird.h"
#include "earlybert/prune/ticket.h"
#include "earlybert/train/checkpoint_dirs.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/trainer_state.h"

namespace earlybert::report {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::optional<double> distance(double d) { return d >= 0 ? std::optional<double>(d) : std::nullopt; }

TicketHistory history_of(const Ticket& ticket, const std::string& source) {
  TicketHistory h;
  h.draw_step = ticket.draw_step;
  h.reason = ticket.reason;
  // The entries per kind come from the plan (the unpruned sizes); before the draw there is none and the
  // floor of ticket_min_swaps cannot be known here, so the plain thresholds are shown.
  int64_t heads = 0, neurons = 0;
  for (const auto& l : ticket.plan.layers) {
    heads += l.num_heads;
    neurons += l.intermediate_size;
  }
  h.allowed_heads = heads > 0 ? allowed_mask_distance(ticket.ticket_threshold_heads, ticket.ticket_min_swaps, heads)
                              : ticket.ticket_threshold_heads;
  h.allowed_ffn = neurons > 0 ? allowed_mask_distance(ticket.ticket_threshold_ffn, ticket.ticket_min_swaps, neurons)
                              : ticket.ticket_threshold_ffn;
  h.window = ticket.ticket_window;
  h.source = source;
  for (const EarlyBirdRecord& rec : ticket.distance_history)
    h.distances.push_back({rec.step, distance(rec.dist_heads), distance(rec.dist_ffn), distance(rec.window_max_heads),
                           distance(rec.window_max_ffn)});
  return h;
}

}  // namespace

RunData read_run_data(const std::string& dir) {
  const RunRecord run = read_run(dir);
  RunData r;
  r.dir = run.dir;
  r.name = run.name;
  r.task = run.task.value_or("");
  if (run.ticket_mode)
    r.ticket_mode = run.given_ticket.empty() ? to_string(*run.ticket_mode) : "ticket " + run.given_ticket;
  for (const auto& [key, value] : run.eval.metrics)
    r.metrics["eval_" + key] = std::isfinite(value) ? std::optional<double>(value) : std::nullopt;
  r.times = *run.eval.times;
  if (run.train) {
    r.params_initial = run.train->params_initial;
    r.params_final = run.train->params_final;
  }
  r.global_step = run.state.global_step;
  r.draw_step = run.state.draw_step;
  r.draw_reason = run.state.draw_reason;

  std::map<Phase, std::pair<double, int64_t>> tps;
  for (const MetricsRecord& rec : run.metrics) {
    if (rec.phase == Phase::Eval) {
      EvalPoint e{rec.step, {}};
      for (const auto& [key, value] : rec.extra)
        if (key.rfind("eval_", 0) == 0 && !ends_with(key, "runtime")) e.metrics[key] = value;
      if (!e.metrics.empty()) r.evaluations.push_back(std::move(e));
      continue;
    }
    r.training.push_back({rec.step, rec.phase, rec.loss && std::isfinite(*rec.loss) ? *rec.loss : kNaN});
    if (rec.tokens_per_s && std::isfinite(*rec.tokens_per_s)) {
      auto& [sum, n] = tps[rec.phase];
      sum += *rec.tokens_per_s;
      ++n;
    }
  }
  for (const auto& [phase, sn] : tps) r.tokens_per_s[phase] = sn.first / static_cast<double>(sn.second);

  // The ticket: the run's own ticket.json once drawn (or given); while the search never drew, the
  // newest checkpoint's copy still holds the distance history.
  const std::string ticket_path = join_path(dir, run_files::kTicket);
  std::optional<Ticket> ticket = run.ticket;
  if (!ticket && path_exists(ticket_path)) ticket = Ticket::load(ticket_path);
  if (ticket) {
    r.ticket = history_of(*ticket, ticket_path);
  } else {
    const std::string latest = latest_checkpoint(dir);
    const std::string in_checkpoint = latest.empty() ? "" : join_path(latest, run_files::kTicket);
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
  return r;
}

}  // namespace earlybert::report
