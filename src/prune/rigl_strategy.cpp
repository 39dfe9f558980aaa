// ticket_mode rigl: structured RigL (include/earlybert/prune/rigl.h). A random structure of the
// ticket's size is active from the start (the others switched off through their coefficients, which
// are reset to 1/0 after every update so that the optimizer cannot move them); every ticket_check_steps
// updates the weakest units are dropped and as many grown by |∂loss/∂c| on the probe batch; at
// max_search_steps the active structure is drawn and physically pruned. Cost: none beyond the training
// itself (one probe forward/backward per update of the structure), but until the draw every update
// runs at the dense model's cost.
#include <torch/autograd.h>
#include <torch/nn/module.h>

#include "earlybert/base/error.h"
#include "earlybert/model/slimming.h"
#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/draw_rule.h"
#include "earlybert/prune/rigl.h"
#include "earlybert/prune/unit_scores.h"
#include "prune/lab_strategies.h"

namespace earlybert::detail {
namespace {

/// |∂loss/∂c| of every coefficient on the probe batch, in eval mode (no dropout), without touching .grad.
UnitScores coefficient_gradients(AnyBertModel& model, const StrategyContext& context) {
  if (!context.probe_loss) fail("ticket_mode rigl", "the training loop gives no probe batch to grow units by");
  const auto module = model.module();
  const bool was_training = module->is_training();
  module->eval();
  auto coefs = slimming_coefficients(model.bert());
  std::vector<torch::Tensor> inputs;
  for (const auto& l : coefs) inputs.push_back(l.heads), inputs.push_back(l.ffn);
  torch::Tensor loss;
  {
    torch::AutoGradMode grad_on(true);
    loss = context.probe_loss(model);
  }
  const auto grads = torch::autograd::grad({loss}, inputs, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                           /*allow_unused=*/true);
  if (was_training) module->train();
  UnitScores s;
  auto host = [](const torch::Tensor& g, const torch::Tensor& like) {
    const torch::Tensor t = (g.defined() ? g : torch::zeros_like(like)).detach().abs().to(torch::kCPU, torch::kFloat32);
    return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  };
  for (size_t l = 0; l < coefs.size(); ++l) {
    s.heads.push_back(host(grads[2 * l], coefs[l].heads));
    s.ffn.push_back(host(grads[2 * l + 1], coefs[l].ffn));
  }
  return s;
}

class RiglStrategy : public TicketStrategy {
 public:
  RiglStrategy(const TicketOptions& o, int64_t updates_per_epoch) : o_(o) {
    end_ = resolve_max_search_steps(o_.max_search_steps, updates_per_epoch);
    if (end_ < 1) fail("max_search_steps", "ticket_mode rigl draws at max_search_steps: set -1 (one epoch) or N >= 1");
    if (o_.check_steps < 1) fail("ticket_check_steps", "must be >= 1");
    rigl_update_fraction(0, o_.rigl_fraction, end_);  // checks rigl_fraction now, not at the first update
    ticket_ = Ticket::for_options(o_, end_);
  }

  TicketMode mode() const override { return TicketMode::Rigl; }
  bool needs_coefficients() const override { return true; }
  bool adds_l1() const override { return false; }
  bool drawn() const override { return ticket_.drawn(); }

  void start(AnyBertModel& model, const StrategyContext&) override {
    const PruningPlan start = random_ticket_plan(model.config(), o_.ratios, static_cast<uint64_t>(o_.random_seed));
    heads_ = plan_head_masks(start);
    ffn_ = plan_neuron_masks(start);
    mask_units_by_coefficients(*model.bert(), heads_, ffn_);
  }

  StrategyStep after_update(int64_t step, AnyBertModel& model, const StrategyContext& context) override {
    StrategyStep s;
    if (drawn() || heads_.empty()) return s;
    if (step >= end_) {
      mask_units_by_coefficients(*model.bert(), heads_, ffn_);  // active units at exactly 1
      const PruningPlan plan = plan_from_masks(heads_, ffn_);
      apply_plan(model, plan);
      ticket_ = lab_ticket(o_, end_, plan, step, DrawReason::Rigl);
      s.shapes_changed = true;
      s.drawn = DrawReason::Rigl;
      s.note = "rigl ticket drawn at step " + std::to_string(step) + " after " + std::to_string(updates_) +
               " structure updates (" + std::to_string(moved_) + " units moved): " + plan_counts(plan);
      return s;
    }
    if (step > 0 && step % o_.check_steps == 0) s.note = update(step, model, context);
    mask_units_by_coefficients(*model.bert(), heads_, ffn_);  // the optimizer moved the coefficients
    return s;
  }

  Ticket ticket() const override { return ticket_; }

  std::string summary() const override {
    return "rigl: " + std::to_string(updates_) + " structure updates, " + std::to_string(moved_) +
           " units moved, drawn at step " + std::to_string(end_) +
           " (the cost: every update before it at the dense "
           "model's size)";
  }

  void resume_drawn(const Ticket& drawn) override {
    require_drawn(drawn, mode());
    ticket_ = drawn;
  }

 private:
  std::string update(int64_t step, AnyBertModel& model, const StrategyContext& context) {
    const double fraction = rigl_update_fraction(step, o_.rigl_fraction, end_);
    const UnitScores magnitude = magnitude_scores(*model.bert());
    const UnitScores gradient = coefficient_gradients(model, context);
    std::vector<std::vector<int64_t>> grown_heads, grown_neurons;
    int64_t moved_heads = 0, moved_neurons = 0;
    for (size_t l = 0; l < heads_.size(); ++l) {
      const DropGrow h = rigl_drop_grow(heads_[l], magnitude.heads[l], gradient.heads[l], fraction);
      const DropGrow n = rigl_drop_grow(ffn_[l], magnitude.ffn[l], gradient.ffn[l], fraction);
      heads_[l] = apply_drop_grow(heads_[l], h);
      ffn_[l] = apply_drop_grow(ffn_[l], n);
      grown_heads.push_back(h.grown);
      grown_neurons.push_back(n.grown);
      moved_heads += static_cast<int64_t>(h.grown.size());
      moved_neurons += static_cast<int64_t>(n.grown.size());
    }
    zero_unit_outputs(*model.bert(), grown_heads, grown_neurons);
    ++updates_;
    moved_ += moved_heads + moved_neurons;
    return "rigl update at step " + std::to_string(step) + ": fraction " + std::to_string(fraction) + ", " +
           std::to_string(moved_heads) + " heads and " + std::to_string(moved_neurons) + " FFN neurons moved";
  }

  TicketOptions o_;
  int64_t end_ = 0;
  LayerMasks heads_, ffn_;  ///< the active structure
  int64_t updates_ = 0, moved_ = 0;
  Ticket ticket_;
};

}  // namespace

std::unique_ptr<TicketStrategy> make_rigl_strategy(const TicketOptions& options, int64_t updates_per_epoch) {
  return std::make_unique<RiglStrategy>(options, updates_per_epoch);
}

}  // namespace earlybert::detail
