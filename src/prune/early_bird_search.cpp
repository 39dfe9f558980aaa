// EarlyBERT's search → draw → prune as one object — see include/earlybert/prune/early_bird_search.h.
#include "earlybert/prune/early_bird_search.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include <cstdio>

#include "earlybert/base/error.h"
#include "earlybert/model/slimming.h"

namespace earlybert {
namespace {

std::string fixed4(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string because(DrawReason why) {
  switch (why) {
    case DrawReason::EarlyBird:
      return "the early-bird rule";
    case DrawReason::SearchBound:
      return "bound: max_search_steps reached before the masks stabilised";
    case DrawReason::FixedStep:
      return "fixed step";
    case DrawReason::Random:
      return "random ticket (no search)";
    case DrawReason::Given:
      return "a given ticket";
    case DrawReason::PrunedModel:
      return "the model's earlier pruning";
    case DrawReason::NotYet:
      break;
  }
  return "nothing (not drawn)";
}

}  // namespace

EarlyBirdSearch::EarlyBirdSearch(TicketOptions options, int64_t updates_per_epoch)
    : options_(options),
      rule_(DrawRule::from_options(options_, updates_per_epoch)),
      detector_(EarlyBirdCriterion{options_.threshold_heads, options_.threshold_ffn, options_.min_swaps},
                options_.window),
      ticket_(Ticket::for_options(options_, rule_.max_search_steps)) {}

void EarlyBirdSearch::keep_rewind_weights(const AnyBertModel& model) {
  torch::NoGradGuard no_grad;
  rewind_weights_.clear();
  const auto module = model.module();
  for (const auto& item : module->named_parameters())
    rewind_weights_.insert(item.key(), item.value().detach().to(torch::kCPU).clone());
  for (const auto& item : module->named_buffers())
    rewind_weights_.insert(item.key(), item.value().detach().to(torch::kCPU).clone());
}

SearchCheck EarlyBirdSearch::after_update(int64_t step, const AnyBertModel& model) {
  SearchCheck check;
  if (drawn() || !draws()) return check;
  bool stable = false;
  std::optional<TicketMasks> masks;
  if (rule_.is_check_step(step)) {
    const SlimmingScores scores = slimming_scores(slimming_coefficients(model.bert()));
    masks = current_masks(scores, options_.ratios);
    stable = detector_.observe(step, masks->heads, masks->ffn);
    ticket_.coefficient_snapshots.push_back(make_snapshot(step, scores, *masks, false));
    check.observed = detector_.history().back();
  }
  const DrawReason why = rule_.decide(step, stable);
  if (why != DrawReason::NotYet) {
    draw(step, why, model, masks);
    check.drawn = why;
  }
  return check;
}

void EarlyBirdSearch::draw(int64_t step, DrawReason why, const AnyBertModel& model,
                           const std::optional<TicketMasks>& checked) {
  if (why == DrawReason::Random) {
    ticket_.plan = random_ticket_plan(model.config(), options_.ratios, static_cast<uint64_t>(options_.random_seed));
  } else {
    const SlimmingScores scores = slimming_scores(slimming_coefficients(model.bert()));
    const TicketMasks masks = checked ? *checked : current_masks(scores, options_.ratios);
    ticket_.plan = plan_from_masks(masks.heads, masks.ffn);
    // The snapshot of the draw replaces the check's snapshot of this step and carries the FFN scores too.
    if (!ticket_.coefficient_snapshots.empty() && ticket_.coefficient_snapshots.back().step == step)
      ticket_.coefficient_snapshots.pop_back();
    ticket_.coefficient_snapshots.push_back(make_snapshot(step, scores, masks, true));
  }
  ticket_.draw_step = step;
  ticket_.reason = why;
  ticket_.distance_history = detector_.history();
}

PruneReport EarlyBirdSearch::prune(AnyBertModel& model) const {
  if (!drawn()) fail("early-bird search", "prune() before the ticket was drawn");
  if (options_.rewind == RewindMode::Initial && has_rewind_weights()) {
    torch::NoGradGuard no_grad;
    const auto module = model.module();
    auto restore = [&](const std::string& name, torch::Tensor& target) {
      const torch::Tensor* saved = rewind_weights_.find(name);
      if (saved == nullptr) fail("rewind", "the model has '" + name + "', the weights from before the search do not");
      if (!saved->sizes().equals(target.sizes()))
        fail("rewind", "'" + name + "' changed shape since the weights from before the search were kept");
      target.copy_(*saved);
    };
    int64_t restored = 0;
    for (auto& item : module->named_parameters()) restore(item.key(), item.value()), ++restored;
    for (auto& item : module->named_buffers()) restore(item.key(), item.value()), ++restored;
    if (restored != static_cast<int64_t>(rewind_weights_.size()))
      fail("rewind", "the weights from before the search have tensors the model lacks");
  }
  return apply_plan(model, ticket_.plan);
}

Ticket EarlyBirdSearch::ticket() const {
  Ticket t = ticket_;
  if (!t.drawn()) t.distance_history = detector_.history();
  return t;
}

std::string EarlyBirdSearch::draw_summary() const {
  if (!drawn()) return "no ticket drawn yet";
  const auto& hist = detector_.history();
  const bool observed_now = !hist.empty() && hist.back().step == ticket_.draw_step;
  std::string line = "ticket drawn at step " + std::to_string(ticket_.draw_step) + " by " + because(ticket_.reason);
  if (!observed_now) return line + "; no mask check at this step";
  const EarlyBirdRecord& r = hist.back();
  line += "; mask distance to the previous check: heads " + fixed4(r.dist_heads) + ", FFN " + fixed4(r.dist_ffn);
  if (r.window_max_heads >= 0)
    line += " (max over the last " + std::to_string(detector_.window()) + ": heads " + fixed4(r.window_max_heads) +
            ", FFN " + fixed4(r.window_max_ffn) + "; allowed: heads " + fixed4(detector_.allowed_heads()) + ", FFN " +
            fixed4(detector_.allowed_ffn()) + ")";
  return line;
}

void EarlyBirdSearch::restore(EarlyBirdDetector detector, Ticket ticket_in_progress) {
  detector_ = std::move(detector);
  ticket_ = std::move(ticket_in_progress);
}

}  // namespace earlybert
