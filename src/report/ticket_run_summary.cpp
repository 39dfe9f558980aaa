// Reading a run for the winning-ticket check — see include/earlybert/report/ticket_run_summary.h.
#include "earlybert/report/ticket_run_summary.h"

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/train/run_files.h"
#include "earlybert/train/training_args.h"

namespace earlybert::report {

bool lower_is_better_metric(const std::string& metric) {
  std::string m = metric.rfind("eval_", 0) == 0 ? metric.substr(5) : metric;
  return m == "perplexity" || (m.size() >= 4 && m.compare(m.size() - 4, 4, "loss") == 0);
}

TicketRunSummary read_ticket_run_summary(const std::string& dir, const std::string& metric) {
  const RunRecord rec = read_run(dir);
  const std::string config_path = join_path(dir, run_files::kConfigYaml);
  if (!path_exists(config_path))
    fail(config_path, "missing: the winning-ticket check reads each run's learning rate and seed from it");
  TrainingArguments args;
  apply_config_file(args, config_path);
  TicketRunSummary s;
  s.name = rec.name;
  s.learning_rate = args.learning_rate;
  s.seed = args.seed;
  // The budget of the model compared. Under restart the ticket trains a run of its own after the draw
  // (d updates of search before it are its cost, wall time); under continue one schedule spans the
  // whole run, so the whole run is the budget. A dense run, or a ticket given or random (d = 0): all.
  s.budget = rec.state.global_step;
  if (args.efficient_schedule == EfficientSchedule::Restart && rec.state.draw_step > 0)
    s.budget -= rec.state.draw_step;
  switch (args.ticket_mode) {
    case TicketMode::None:
      s.role = TicketRole::Dense;
      break;
    case TicketMode::Random:
      s.role = TicketRole::RandomStructure;
      break;
    case TicketMode::Reinit:
      s.role = TicketRole::RandomReinit;
      if (rec.ticket) s.strategy = to_string(rec.ticket->mode);  // the given ticket's strategy
      break;
    default:
      s.role = TicketRole::Ticket;
      s.strategy = to_string(args.ticket_mode);
      if (!args.ticket.empty() && rec.ticket) s.strategy = to_string(rec.ticket->mode);
  }
  const std::string key = metric.rfind("eval_", 0) == 0 ? metric.substr(5) : metric;
  const auto it = rec.eval.metrics.find(key);
  if (it == rec.eval.metrics.end()) fail(join_path(dir, run_files::kEvalResults), "no metric 'eval_" + key + "'");
  s.metric = it->second;
  return s;
}

}  // namespace earlybert::report
