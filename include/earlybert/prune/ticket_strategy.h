// TicketStrategy — how a run finds its ticket, one implementation per ticket_mode, all siblings behind
// one interface so that the loop that trains the model does not know which one it runs.
//
//   EarlyBERT     early_bird, fixed_step, fixed_fraction, random: EarlyBirdSearch (early_bird_search.h)
//                 behind an adapter; its own public API is unchanged.
//   imp           iterative magnitude pruning with rewinding (imp.h, rewind.h)
//   rigl          structured RigL (rigl.h)
//   greedy        greedy forward selection (greedy.h)
// (reinit is not a search: it re-initialises a given ticket, reinit.h; none draws nothing.)
//
// The loop (the trainer, or a user's own loop like examples/own_loop.cpp):
//
//   auto strategy = make_ticket_strategy(options, updates_per_epoch);
//   strategy->start(model, context);                      // before the first update
//   for (int64_t step = 0;; ++step) {
//     if (!strategy->drawn()) {
//       StrategyStep s = strategy->after_update(step, model, context);   // step = updates done
//       if (s.shapes_changed) optimizer = make_optimizer(...);            // pruned: fresh state
//       if (s.drew()) save(strategy->ticket().to_json());                 // ticket.json
//     }
//     ... one update; the L1 term on the coefficients joins the loss while strategy->adds_l1() ...
//   }
//
// A strategy changes the model itself (pruning by its rounds or its draw, rewinding, switching units
// on and off through their slimming coefficients) and says so: shapes_changed whenever parameter
// shapes changed (the optimizer must be rebuilt), drew() once, when the final ticket exists and the
// model is physically pruned by it; from then on efficient training runs, the same for every strategy.
// after_update(0) is called once before the first update.
//
// StrategyContext carries what a strategy may ask of the loop: the loss of the model on a probe batch
// (greedy's selection, RigL's growth gradients). Strategies that need it fail with a clear Error when
// the loop gives none.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "earlybert/model/any_bert_model.h"
#include "earlybert/prune/early_bird.h"
#include "earlybert/prune/early_bird_search.h"
#include "earlybert/prune/ticket.h"
#include "earlybert/prune/ticket_options.h"

namespace earlybert {

struct StrategyContext {
  /// The task loss of `model` on a fixed probe batch (the model's mode is set by the caller).
  std::function<torch::Tensor(AnyBertModel& model)> probe_loss;
};

/// What one after_update() did.
struct StrategyStep {
  std::optional<EarlyBirdRecord> observed;  ///< an early-bird mask check of this step
  bool shapes_changed = false;              ///< the model was pruned: rebuild the optimizer
  DrawReason drawn = DrawReason::NotYet;    ///< the final ticket was drawn now (model pruned by it)
  std::string note;                         ///< one line for the log (a round, an update), or empty
  bool drew() const { return drawn != DrawReason::NotYet; }
};

class TicketStrategy {
 public:
  virtual ~TicketStrategy() = default;

  virtual TicketMode mode() const = 0;
  /// The model must be built with slimming coefficients (the strategy ranks or switches units by them).
  virtual bool needs_coefficients() const = 0;
  /// The L1 term on the coefficients joins the loss now (EarlyBERT's search; imp ranking by slimming).
  virtual bool adds_l1() const = 0;

  /// Before the first update, with the model as it starts (rewind weights, a starting structure).
  virtual void start(AnyBertModel& model, const StrategyContext& context) = 0;
  /// After `step` updates (0 = before the first); may change the model. Does nothing once drawn.
  virtual StrategyStep after_update(int64_t step, AnyBertModel& model, const StrategyContext& context) = 0;

  virtual bool drawn() const = 0;
  /// ticket.json: the drawn ticket, or what is known so far.
  virtual Ticket ticket() const = 0;
  /// One line for the log: what decided the ticket (and its cost in updates, where there is one).
  virtual std::string summary() const = 0;
  /// A run resumed after the draw: the strategy is done, its ticket is `drawn`. Error when `drawn` is
  /// not drawn (resuming these strategies before the draw is not supported: their state is not saved).
  virtual void resume_drawn(const Ticket& drawn) = 0;
};

/// The strategy of options.mode (every mode but none and reinit; Error naming ticket_mode for those).
/// `updates_per_epoch` resolves the epoch-relative keys (max_search_steps -1, imp_round_steps -1).
std::unique_ptr<TicketStrategy> make_ticket_strategy(const TicketOptions& options, int64_t updates_per_epoch);

/// True for the lab's strategies that the trainer drives through this interface (imp, rigl, greedy).
bool is_lab_strategy(TicketMode mode);

/// The adapter that makes EarlyBirdSearch a TicketStrategy (pruning at the draw, rewinding as it does).
class EarlyBirdStrategy : public TicketStrategy {
 public:
  EarlyBirdStrategy(TicketOptions options, int64_t updates_per_epoch)
      : search_(std::move(options), updates_per_epoch) {}
  TicketMode mode() const override { return search_.options().mode; }
  bool needs_coefficients() const override { return search_.searches(); }
  bool adds_l1() const override { return search_.searches() && !search_.drawn(); }
  void start(AnyBertModel& model, const StrategyContext& context) override;
  StrategyStep after_update(int64_t step, AnyBertModel& model, const StrategyContext& context) override;
  bool drawn() const override { return search_.drawn(); }
  Ticket ticket() const override { return search_.ticket(); }
  std::string summary() const override { return search_.draw_summary(); }
  void resume_drawn(const Ticket& drawn) override;
  /// The search itself (its detector, rule and ticket).
  const EarlyBirdSearch& search() const { return search_; }

 private:
  EarlyBirdSearch search_;
};

}  // namespace earlybert
