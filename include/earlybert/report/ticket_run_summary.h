// One run directory as the winning-ticket check sees it (report/winning_ticket.h): its role (from
// config.yaml's ticket_mode), learning rate and seed (config.yaml), budget (trainer_state.json: under
// efficient_schedule restart the updates after the draw, global_step - draw_step; under continue, with
// nothing drawn, or a ticket that existed before the first update, the whole run) and one final eval
// metric (eval_results.json), all read through train/run_files.h.
#pragma once

#include <string>

#include "earlybert/report/winning_ticket.h"

namespace earlybert::report {

/// ticket_mode none → Dense, random → RandomStructure, reinit → RandomReinit (of the strategy that drew
/// the ticket it re-initialised, from its ticket.json); any other mode → Ticket
/// of that strategy; a run given another run's ticket (key `ticket`) → Ticket of the strategy that
/// drew it (its ticket.json's mode). `metric` with or without the "eval_" prefix. Errors name the file:
/// a missing config.yaml, or a metric the run did not report.
TicketRunSummary read_ticket_run_summary(const std::string& dir, const std::string& metric);

/// True for metrics where lower is better (perplexity, *loss).
bool lower_is_better_metric(const std::string& metric);

}  // namespace earlybert::report
