// Trainer — the one training loop every task runs, with EarlyBERT's three phases in it.
//
// A Task (task.h) supplies the model head, the batches and the evaluation; the Trainer owns the rest.
// The loop has llm.c's visible shape. After `step` optimizer updates (step = 0 before the first):
//
//   once in a while, in this order:
//     draw check   every ticket_check_steps during the search: the masks of the current slimming
//                  coefficients are computed, their distances recorded (early_bird.h) and a
//                  coefficient snapshot kept; then the draw rule (draw_rule.h) is asked — the one
//                  place the draw is decided. Drawing = the plan from the masks → ticket.json →
//                  rewind (initial: the weights from before the search) → physical pruning
//                  (apply_plan) → a fresh optimizer for the new shapes.
//     evaluation   every eval_steps (and once at the end)
//     checkpoint   every save_steps (and once at the end)
//     stop         SIGTERM/SIGINT (stop_signal.h) or a hook: save a checkpoint, return cleanly
//   one optimizer update, fenced:
//     gradient_accumulation_steps micro-batches: forward (the single place the model runs, where
//     bf16 autocast will go) → loss / accumulation steps → backward; during the search the L1 term
//     l1_loss_self_coef·Σ|c_head| + l1_loss_inter_coef·Σ|c_ffn| is added once per update
//     → gradients ready (where a data-parallel all-reduce goes) → clip to max_grad_norm
//     → learning rate of the schedule → optimizer step.
//
// Phases: "search" (coefficients and L1 on), "efficient" (after the draw; pruned, no L1), "dense"
// (ticket_mode none: no coefficients at all for a new model). `random` draws at step 0 without a
// search; `ticket` (a ticket.json of another run) prunes before the first update. The global step and
// the learning-rate schedule run on through the draw: the budget (max_steps or num_train_epochs) counts
// every update, search included, and after the draw the schedule continues from the current step with
// the optimizer's state fresh (the search may use its own peak rate, search_learning_rate). The data
// stream continues as well. rewind initial restores the pre-trained weights and the same head
// initialisation (a CPU copy is kept from the start; a resumed search rebuilds it from the seed).
//
// Data: the training features are read in a permutation per epoch (a portable shuffle of the run's
// seed and the epoch), per_device_train_batch_size at a time, the last batch of an epoch smaller.
// Tasks get a seed per epoch for their own randomness (dynamic masking). The position in that stream,
// the LibTorch RNG, the optimizer, the early-bird detector and the in-progress ticket are all in every
// checkpoint, so a resumed run reproduces the losses of an uninterrupted one exactly on CPU.
//
// Outputs (output_dir; only rank 0 writes, through RankZeroWriter):
//   config.yaml           the resolved arguments
//   metrics.jsonl         one line per logging step (step, epoch, phase, loss, l1, lr, grad_norm,
//                         tokens_per_s, elapsed) and per evaluation (phase "eval", eval_* values)
//   runs/                 TensorBoard scalars (logging_dir)
//   ticket.json           when drawn (ticket.h)
//   checkpoint-N/         config.json, model.safetensors, vocab.txt, optimizer.pt, scheduler.json,
//                         trainer_state.json, ticket.json (in progress or drawn), timing.json,
//                         config.yaml, COMPLETE (checkpoint_dirs.h: atomic, save_total_limit)
//   at the end            config.json + model.safetensors + vocab.txt of the final model (so
//                         output_dir is itself a model directory), trainer_state.json,
//                         eval_results.json (eval_-prefixed metrics, eval_runtime, phase times),
//                         train_results.json (runtime per phase, draw step, parameter counts)
// loss is the mean task loss of the updates since the previous logging step (after a resume the first
// window is shorter), l1 the mean L1 term, lr and grad_norm those of the logging step's update,
// tokens_per_s the positions the model processed (padding included) per second of update time.
// Console (earlybert/base/log.h): one progress line per logging_steps (step/total, epoch, phase, loss, lr,
// tokens/s, ETA), a live bar on a terminal only, the draw announced with its step and distances.
// Not yet: data-parallel training (WORLD_SIZE > 1 is refused) and bf16 autocast (bf16: true is
// refused with an error naming the key).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "earlybert/model/any_bert_model.h"
#include "earlybert/train/task.h"
#include "earlybert/train/training_args.h"

namespace earlybert {

/// Test and tool hooks; all optional.
struct TrainerHooks {
  /// After every optimizer update (`step` = updates done), before the draw check of that step. Tests
  /// use it to impose constructed slimming-coefficient trajectories.
  std::function<void(int64_t step, AnyBertModel& model)> after_update;
  /// Asked where the stop signal is polled; true behaves exactly like SIGTERM at that point.
  std::function<bool(int64_t step)> stop_requested;
  /// Called with the fully written temporary checkpoint directory just before it is committed;
  /// throwing here simulates a crash during the save.
  std::function<void(const std::string& tmp_dir, int64_t step)> before_checkpoint_commit;
};

/// One optimizer update.
struct StepRecord {
  int64_t step = 0;  ///< updates done including this one
  std::string phase;
  double loss = 0;           ///< task loss, mean over the micro-batches
  std::optional<double> l1;  ///< the L1 term (search only)
  double lr = 0;
  double grad_norm = 0;
};

/// Wall-clock seconds per phase, accumulated over resumes.
struct PhaseTimes {
  double search = 0;      ///< training updates (and mask checks) before the draw
  double efficient = 0;   ///< training updates after the draw (or with a given / random ticket)
  double dense = 0;       ///< training updates of ticket_mode none
  double eval = 0;        ///< evaluations
  double checkpoint = 0;  ///< writing checkpoints
  double total = 0;       ///< the whole of train()
};

struct TrainResult {
  int64_t global_step = 0;
  int64_t max_steps = 0;  ///< the resolved budget in updates
  std::string phase;
  bool stopped = false;  ///< stopped by a signal or hook (a checkpoint was saved)
  int stop_signal = 0;   ///< SIGTERM / SIGINT, 0 for a hook
  std::string last_checkpoint;
  int64_t draw_step = -1;
  std::string draw_reason;     ///< to_string(DrawReason), or "ticket" for a given ticket
  int64_t params_initial = 0;  ///< parameters of the model before any pruning
  int64_t params_final = 0;
  std::vector<StepRecord> steps;  ///< the updates this call ran
  Metrics eval_metrics;           ///< the final evaluation (no "eval_" prefix); empty when stopped
  PhaseTimes times;
};

/// "auto" → CUDA when available, else CPU; "cpu", "cuda", "cuda:N". Error naming 'device' otherwise
/// or when CUDA is asked for and absent.
torch::Device resolve_device(const std::string& device);

/// The seed a task receives for its randomness in `epoch` of a run seeded with `seed`.
uint64_t epoch_seed(int64_t seed, int64_t epoch);

class Trainer {
 public:
  Trainer(TrainingArguments args, std::unique_ptr<Task> task, TrainerHooks hooks = {});
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  /// The whole run (or its continuation with resume_from_checkpoint). Errors name the key at fault.
  TrainResult train();

  /// Evaluates the trained model, or — before train() — the model in model_name_or_path; writes
  /// eval_results.json into output_dir and returns the task's metrics (no prefix).
  Metrics evaluate();

  /// Writes the task's prediction files for `split` ("dev" or "test") into output_dir.
  std::vector<std::string> predict(const std::string& split);

  const TrainingArguments& args() const;
  Task& task();
  /// The model (after train(), or after evaluate()/predict() loaded it). Error when there is none yet.
  AnyBertModel& model();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace earlybert
