// The lab's strategies behind TicketStrategy (include/earlybert/prune/ticket_strategy.h); each in its
// own translation unit (imp_strategy.cpp, rigl_strategy.cpp, greedy_strategy.cpp), built only through
// make_ticket_strategy().
#pragma once

#include <memory>
#include <string>

#include "earlybert/prune/ticket.h"
#include "earlybert/prune/ticket_strategy.h"

namespace earlybert::detail {

std::unique_ptr<TicketStrategy> make_imp_strategy(const TicketOptions& options, int64_t updates_per_epoch);
std::unique_ptr<TicketStrategy> make_rigl_strategy(const TicketOptions& options, int64_t updates_per_epoch);
std::unique_ptr<TicketStrategy> make_greedy_strategy(const TicketOptions& options, int64_t updates_per_epoch);

/// The drawn ticket of a lab strategy: its settings, the plan, the step and the reason.
Ticket lab_ticket(const TicketOptions& options, int64_t resolved_max_search_steps, const PruningPlan& plan,
                  int64_t step, DrawReason reason);

/// "heads 6/8, FFN neurons 38/64" for a plan.
std::string plan_counts(const PruningPlan& plan);

/// The per-layer counts a ticket of `ratios` keeps (the layerwise rule for heads and neurons alike, as
/// the random ticket; prune/ticket.h).
void layer_targets(const BertConfig& config, const PruningRatios& ratios, std::vector<int64_t>& heads,
                   std::vector<int64_t>& neurons);

/// A resumed run with a drawn ticket (resume_drawn()); Error when it is not drawn.
void require_drawn(const Ticket& ticket, TicketMode mode);

}  // namespace earlybert::detail
