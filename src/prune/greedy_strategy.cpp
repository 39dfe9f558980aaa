// ticket_mode greedy: greedy forward selection after ticket_step dense updates
// (include/earlybert/prune/greedy.h). Until then the model trains dense (its coefficients held at 1);
// at step k the units are added one candidate at a time by the probe loss, with the others switched off
// through their coefficients, and the selected sub-network is drawn and physically pruned; it trains on
// from the weights of step k. Cost: one probe forward pass per remaining candidate per pick
// (≈ picks × candidates forwards; greedy_group_size makes both smaller).
#include <torch/nn/module.h>
#include <torch/utils.h>

#include "earlybert/base/error.h"
#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/draw_rule.h"
#include "earlybert/prune/greedy.h"
#include "earlybert/prune/unit_scores.h"
#include "prune/lab_strategies.h"

namespace earlybert::detail {
namespace {

LayerMasks all_on(const std::vector<int64_t>& sizes) {
  LayerMasks m;
  for (int64_t n : sizes) m.emplace_back(static_cast<size_t>(n), true);
  return m;
}

class GreedyStrategy : public TicketStrategy {
 public:
  GreedyStrategy(const TicketOptions& o, int64_t updates_per_epoch) : o_(o) {
    if (o_.fixed_step < 0) fail("ticket_step", "greedy selects after ticket_step >= 0 dense updates");
    if (o_.greedy_group_size < 1) fail("greedy_group_size", "must be >= 1");
    ticket_ = Ticket::for_options(o_, resolve_max_search_steps(o_.max_search_steps, updates_per_epoch));
  }

  TicketMode mode() const override { return TicketMode::Greedy; }
  bool needs_coefficients() const override { return true; }
  bool adds_l1() const override { return false; }
  bool drawn() const override { return ticket_.drawn(); }

  void start(AnyBertModel& model, const StrategyContext&) override {
    const BertConfig& c = model.config();
    heads_.clear();
    neurons_.clear();
    for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
      heads_.push_back(c.layer_heads(l));
      neurons_.push_back(c.layer_intermediate_size(l));
    }
    mask_units_by_coefficients(*model.bert(), all_on(heads_), all_on(neurons_));
  }

  StrategyStep after_update(int64_t step, AnyBertModel& model, const StrategyContext& context) override {
    StrategyStep s;
    if (drawn() || heads_.empty()) return s;
    if (step < o_.fixed_step) {
      mask_units_by_coefficients(*model.bert(), all_on(heads_), all_on(neurons_));  // dense: coefficients at 1
      return s;
    }
    if (!context.probe_loss) fail("ticket_mode greedy", "the training loop gives no probe batch to select units by");
    std::vector<int64_t> heads_target, neurons_target;
    layer_targets(model.config(), o_.ratios, heads_target, neurons_target);
    const auto candidates = greedy_candidates(heads_, neurons_, o_.greedy_group_size);
    const auto module = model.module();
    const bool was_training = module->is_training();
    module->eval();
    int64_t evaluations = 0;
    const MasksLoss loss = [&](const LayerMasks& h, const LayerMasks& f) {
      torch::NoGradGuard no_grad;
      mask_units_by_coefficients(*model.bert(), h, f);
      ++evaluations;
      return context.probe_loss(model).item<double>();
    };
    const GreedyResult r = greedy_forward_selection(heads_, neurons_, heads_target, neurons_target, candidates, loss);
    if (was_training) module->train();
    mask_units_by_coefficients(*model.bert(), all_on(heads_), all_on(neurons_));
    const PruningPlan plan = plan_from_masks(r.heads, r.ffn);
    apply_plan(model, plan);
    ticket_ = lab_ticket(o_, ticket_.max_search_steps, plan, step, DrawReason::Greedy);
    s.shapes_changed = true;
    s.drawn = DrawReason::Greedy;
    s.note = "greedy selection after " + std::to_string(step) + " dense updates: " + std::to_string(r.picks.size()) +
             " picks, " + std::to_string(evaluations) + " probe forwards; probe loss " + std::to_string(r.empty_loss) +
             " (nothing on) -> " + std::to_string(r.picks.empty() ? r.empty_loss : r.picks.back().loss) + "; " +
             plan_counts(plan);
    last_note_ = s.note;
    return s;
  }

  Ticket ticket() const override { return ticket_; }
  std::string summary() const override { return drawn() ? last_note_ : "greedy: dense updates before the selection"; }

  void resume_drawn(const Ticket& drawn) override {
    require_drawn(drawn, mode());
    ticket_ = drawn;
  }

 private:
  TicketOptions o_;
  std::vector<int64_t> heads_, neurons_;  ///< layer sizes before the selection
  Ticket ticket_;
  std::string last_note_;
};

}  // namespace

std::unique_ptr<TicketStrategy> make_greedy_strategy(const TicketOptions& options, int64_t updates_per_epoch) {
  return std::make_unique<GreedyStrategy>(options, updates_per_epoch);
}

}  // namespace earlybert::detail
