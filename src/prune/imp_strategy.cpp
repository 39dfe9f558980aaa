// ticket_mode imp: rounds of training, pruning the lowest-scoring units and rewinding the survivors
// (include/earlybert/prune/imp.h for the rule, rewind.h for the rewinding).
//
// Round r ends after r · imp_round_steps updates: the units are ranked by ticket_score on the current
// (already pruned) model, the round's counts are kept (imp_kept_per_round), the model and the rewind
// point are pruned by the same plan and the survivors take the rewind point's weights (rewind initial;
// rewind none keeps training from where the round ended). The last round's plan, composed with the
// earlier ones, is the ticket. Cost: imp_rounds × imp_round_steps updates before the ticket exists.
#include <algorithm>

#include "earlybert/base/error.h"
#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/draw_rule.h"
#include "earlybert/prune/imp.h"
#include "earlybert/prune/rewind.h"
#include "earlybert/prune/unit_scores.h"
#include "prune/lab_strategies.h"

namespace earlybert::detail {
namespace {

class ImpStrategy : public TicketStrategy {
 public:
  ImpStrategy(const TicketOptions& o, int64_t updates_per_epoch) : o_(o) {
    if (o_.imp_rounds < 1) fail("imp_rounds", "must be >= 1");
    if (o_.imp_round_steps == -1) {
      round_steps_ = std::max<int64_t>(1, updates_per_epoch);
    } else if (o_.imp_round_steps >= 1) {
      round_steps_ = o_.imp_round_steps;
    } else {
      fail("imp_round_steps", "must be -1 (one epoch) or >= 1");
    }
    if (o_.rewind_step < 0) fail("rewind_step", "must be >= 0");
    if (o_.rewind == RewindMode::Initial && o_.rewind_step >= round_steps_)
      fail("rewind_step", "the rewind point (" + std::to_string(o_.rewind_step) +
                              ") must come before the first round ends (imp_round_steps " +
                              std::to_string(round_steps_) + ")");
    resolved_bound_ = resolve_max_search_steps(o_.max_search_steps, updates_per_epoch);
    ticket_ = Ticket::for_options(o_, resolved_bound_);
  }

  TicketMode mode() const override { return TicketMode::Imp; }
  bool needs_coefficients() const override { return o_.score == UnitScore::Slimming; }
  bool adds_l1() const override { return o_.score == UnitScore::Slimming && !drawn(); }
  bool drawn() const override { return ticket_.drawn(); }

  void start(AnyBertModel& model, const StrategyContext&) override {
    const BertConfig& c = model.config();
    const int64_t layers = c.num_hidden_layers, rounds = o_.imp_rounds;
    heads_.assign(static_cast<size_t>(rounds), {});
    neurons_.assign(static_cast<size_t>(rounds), {});
    auto fill = [&](std::vector<std::vector<int64_t>>& out, PruneScope scope, double ratio, auto size_of) {
      if (scope == PruneScope::Layerwise) {
        for (int64_t l = 0; l < layers; ++l) {
          const auto kept = imp_kept_per_round(size_of(l), ratio, rounds, true);
          for (int64_t r = 0; r < rounds; ++r) out[static_cast<size_t>(r)].push_back(kept[static_cast<size_t>(r)]);
        }
      } else {
        int64_t total = 0;
        for (int64_t l = 0; l < layers; ++l) total += size_of(l);
        const auto kept = imp_kept_per_round(total, ratio, rounds, false);
        for (int64_t r = 0; r < rounds; ++r) out[static_cast<size_t>(r)] = {kept[static_cast<size_t>(r)]};
      }
    };
    fill(heads_, o_.ratios.heads_scope, o_.ratios.heads, [&](int64_t l) { return c.layer_heads(l); });
    fill(neurons_, o_.ratios.ffn_scope, o_.ratios.ffn, [&](int64_t l) { return c.layer_intermediate_size(l); });
    if (o_.rewind == RewindMode::Initial && o_.rewind_step == 0) rewind_.keep(model, 0);
  }

  StrategyStep after_update(int64_t step, AnyBertModel& model, const StrategyContext&) override {
    StrategyStep s;
    if (drawn() || heads_.empty()) return s;
    if (o_.rewind == RewindMode::Initial && step == o_.rewind_step && !rewind_.kept()) rewind_.keep(model, step);
    if (step == 0 || step % round_steps_ != 0) return s;
    const size_t r = round_++;
    const UnitScores scores = unit_scores(*model.bert(), o_.score);
    const LayerMasks heads = keep_best_units(scores.heads, heads_[r], o_.ratios.heads_scope);
    const LayerMasks ffn = keep_best_units(scores.ffn, neurons_[r], o_.ratios.ffn_scope);
    const PruningPlan plan = plan_from_masks(heads, ffn);
    apply_plan(model, plan);
    if (rewind_.kept()) {
      rewind_.prune(plan);
      rewind_.restore_into(model);
    }
    composed_ = r == 0 ? plan : compose_plans(composed_, plan);
    s.shapes_changed = true;
    s.note =
        "imp round " + std::to_string(r + 1) + "/" + std::to_string(o_.imp_rounds) + " at step " +
        std::to_string(step) + " (" + to_string(o_.score) + " scores): " + plan_counts(composed_) +
        (rewind_.kept() ? "; survivors rewound to their weights after " + std::to_string(rewind_.step()) + " updates"
                        : "; no rewind");
    if (round_ == static_cast<size_t>(o_.imp_rounds)) {
      ticket_ = lab_ticket(o_, resolved_bound_, composed_, step, DrawReason::ImpRounds);
      s.drawn = DrawReason::ImpRounds;
    }
    return s;
  }

  Ticket ticket() const override { return ticket_; }

  std::string summary() const override {
    if (!drawn()) return "imp: " + std::to_string(round_) + " of " + std::to_string(o_.imp_rounds) + " rounds done";
    return "imp ticket drawn at step " + std::to_string(ticket_.draw_step) + " after " + std::to_string(o_.imp_rounds) +
           " rounds of " + std::to_string(round_steps_) +
           " updates (the cost of the ticket: " + std::to_string(o_.imp_rounds * round_steps_) + " updates)";
  }

  void resume_drawn(const Ticket& drawn) override {
    require_drawn(drawn, mode());
    ticket_ = drawn;
  }

 private:
  TicketOptions o_;
  int64_t round_steps_ = 0;
  int64_t resolved_bound_ = 0;
  std::vector<std::vector<int64_t>> heads_, neurons_;  ///< per round: kept per layer, or {total} (global)
  size_t round_ = 0;
  RewindPoint rewind_;
  PruningPlan composed_;
  Ticket ticket_;
};

}  // namespace

std::unique_ptr<TicketStrategy> make_imp_strategy(const TicketOptions& options, int64_t updates_per_epoch) {
  return std::make_unique<ImpStrategy>(options, updates_per_epoch);
}

}  // namespace earlybert::detail
