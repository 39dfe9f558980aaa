// The strategy factory, the EarlyBirdSearch adapter and the helpers the lab's strategies share — see
// include/earlybert/prune/ticket_strategy.h.
#include "earlybert/prune/ticket_strategy.h"

#include "earlybert/base/error.h"
#include "prune/lab_strategies.h"

namespace earlybert {

bool is_lab_strategy(TicketMode mode) {
  return mode == TicketMode::Imp || mode == TicketMode::Rigl || mode == TicketMode::Greedy;
}

std::unique_ptr<TicketStrategy> make_ticket_strategy(const TicketOptions& options, int64_t updates_per_epoch) {
  switch (options.mode) {
    case TicketMode::EarlyBird:
    case TicketMode::FixedStep:
    case TicketMode::FixedFraction:
    case TicketMode::Random:
      return std::make_unique<EarlyBirdStrategy>(options, updates_per_epoch);
    case TicketMode::Imp:
      return detail::make_imp_strategy(options, updates_per_epoch);
    case TicketMode::Rigl:
      return detail::make_rigl_strategy(options, updates_per_epoch);
    case TicketMode::Greedy:
      return detail::make_greedy_strategy(options, updates_per_epoch);
    case TicketMode::None:
    case TicketMode::Reinit:
      break;
  }
  fail("ticket_mode", "'" + to_string(options.mode) +
                          "' finds no ticket (none trains dense; reinit re-initialises "
                          "a given ticket)");
}

void EarlyBirdStrategy::start(AnyBertModel& model, const StrategyContext&) {
  if (search_.searches() && search_.options().rewind == RewindMode::Initial) search_.keep_rewind_weights(model);
}

StrategyStep EarlyBirdStrategy::after_update(int64_t step, AnyBertModel& model, const StrategyContext&) {
  StrategyStep s;
  if (search_.drawn()) return s;
  const SearchCheck check = search_.after_update(step, model);
  s.observed = check.observed;
  if (check.drew()) {
    search_.prune(model);
    s.shapes_changed = true;
    s.drawn = check.drawn;
    s.note = search_.draw_summary();
  }
  return s;
}

void EarlyBirdStrategy::resume_drawn(const Ticket& drawn) {
  detail::require_drawn(drawn, mode());
  search_.restore(search_.detector(), drawn);
}

namespace detail {

Ticket lab_ticket(const TicketOptions& options, int64_t resolved_max_search_steps, const PruningPlan& plan,
                  int64_t step, DrawReason reason) {
  Ticket t = Ticket::for_options(options, resolved_max_search_steps);
  t.plan = plan;
  t.draw_step = step;
  t.reason = reason;
  return t;
}

std::string plan_counts(const PruningPlan& plan) {
  int64_t heads = 0, neurons = 0;
  for (const auto& l : plan.layers) heads += l.num_heads, neurons += l.intermediate_size;
  return "heads " + std::to_string(plan.kept_heads()) + "/" + std::to_string(heads) + ", FFN neurons " +
         std::to_string(plan.kept_neurons()) + "/" + std::to_string(neurons);
}

void layer_targets(const BertConfig& config, const PruningRatios& ratios, std::vector<int64_t>& heads,
                   std::vector<int64_t>& neurons) {
  heads.clear();
  neurons.clear();
  for (int64_t l = 0; l < config.num_hidden_layers; ++l) {
    const int64_t h = config.layer_heads(l), n = config.layer_intermediate_size(l);
    heads.push_back(h - units_to_prune(h, ratios.heads));
    neurons.push_back(n - units_to_prune(n, ratios.ffn));
  }
}

void require_drawn(const Ticket& ticket, TicketMode mode) {
  if (!ticket.drawn())
    fail("resume_from_checkpoint", "ticket_mode " + to_string(mode) +
                                       " cannot resume before its ticket is drawn (its search state is not "
                                       "saved); start the run again");
}

}  // namespace detail
}  // namespace earlybert
