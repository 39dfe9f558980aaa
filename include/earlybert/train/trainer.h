// Trainer — the one training loop every task runs, with EarlyBERT's three phases in it.
//
// A Task (task.h) supplies the model head, the batches and the evaluation; the Trainer owns the rest.
// The loop has llm.c's visible shape. After `step` optimizer updates (step = 0 before the first):
//
//   once in a while, in this order:
//     early-bird check  during the search, the one visible draw call: search.after_update(step, model)
//                  (prune/early_bird_search.h records the masks on check steps and asks the draw rule).
//                  When it draws, the trainer acts on the result: ticket.json, rewind + physical
//                  pruning (search.prune), and on_model_shapes_changed() — the hook where a fresh
//                  optimizer is built for the new shapes (and data-parallel buckets are rebuilt).
//     evaluation   every eval_steps (and once at the end)
//     checkpoint   every save_steps (and once at the end)
//     stop         SIGTERM/SIGINT (stop_signal.h) or a hook: save a checkpoint, return cleanly
//   one optimizer update, fenced:
//     gradient_accumulation_steps micro-batches: forward (the single place the model runs, inside the
//     autocast guard point) → loss / accumulation steps, and during the search on the last
//     micro-batch + the L1 term l1_loss_self_coef·Σ|c_head| + l1_loss_inter_coef·Σ|c_ffn| → one
//     backward per micro-batch (a second backward would fire gradient hooks twice)
//     → gradients ready (where a data-parallel reduction finishes) → clip to max_grad_norm
//     → learning rate of the schedule → optimizer step.
//
// Phases (phase.h): search (coefficients and L1 on), efficient (after the draw; pruned, no L1),
// dense (ticket_mode none: no coefficients at all for a new model). `random` draws at step 0 without a
// search; `ticket` (a ticket.json of another run) prunes before the first update. The global step and
// the learning-rate schedule run on through the draw: the budget (max_steps or num_train_epochs) counts
// every update, search included, and after the draw the schedule continues from the current step with
// the optimizer's state fresh (the search may use its own peak rate, search_learning_rate). The data
// stream continues as well. rewind initial restores the pre-trained weights and the same head
// initialisation (a CPU copy is kept from the start; a resumed search rebuilds it from the seed).
//
// Processes: the Trainer is given a Communicator (distributed/communicator.h; single process by
// default). Only rank 0 writes files (RankZeroWriter); every rank runs the same loop, and what differs
// between ranks (data shard, gradient reduction, rank 0's draw, per-rank RNG states) is in
// train/data_parallel.h.
//
// Data: the training features are read in a permutation per epoch (a portable shuffle of the run's
// seed and the epoch), per_device_train_batch_size at a time, the last batch of an epoch smaller.
// Tasks get a seed per epoch for their own randomness (dynamic masking). The position in that stream,
// the LibTorch RNG, the optimizer, the early-bird detector and the in-progress ticket are all in every
// checkpoint, so a resumed run reproduces the losses of an uninterrupted one exactly on CPU.
//
// Outputs (output_dir; only rank 0 writes, through RankZeroWriter; names and keys: run_files.h):
//   config.yaml           the resolved arguments
//   metrics.jsonl         one line per logging step (step, epoch, phase, loss, l1, lr, grad_norm,
//                         tokens_per_s, elapsed) and per evaluation (phase "eval", eval_* values)
//   runs/                 TensorBoard scalars (logging_dir)
//   ticket.json           when drawn (ticket.h)
//   checkpoint-N/         config.json, model.safetensors, vocab.txt, optimizer.pt, scheduler.json,
//                         trainer_state.json, ticket.json (in progress or drawn), timing.json,
//                         config.yaml, COMPLETE (checkpoint_dirs.h: atomic, save_total_limit),
//                         scaler.json (fp16 runs)
//   at the end            config.json + model.safetensors + vocab.txt of the final model (so
//                         output_dir is itself a model directory), trainer_state.json,
//                         eval_results.json (eval_-prefixed metrics, eval_runtime, phase times),
//                         train_results.json (runtime per phase, draw step, parameter counts)
// loss is the mean task loss of the updates since the previous logging step (after a resume the first
// window is shorter), l1 the mean L1 term, lr and grad_norm those of the logging step's update,
// tokens_per_s the positions the model processed (padding included) per second of update time.
// Console (earlybert/base/log.h): one progress line per logging_steps (step/total, epoch, phase, loss, lr,
// tokens/s, ETA), a live bar on a terminal only, the draw announced with its step and distances.
// Precision (train/mixed_precision.h): bf16 / fp16 / tf32 resolved on the device and logged at the
// start; every forward pass (training and evaluation) runs under the run's autocast; an fp16 run scales
// the loss, skips an update with inf/NaN gradients (lowering the scale, not advancing the LR schedule)
// and keeps its scaler in checkpoint-N/scaler.json.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "earlybert/distributed/communicator.h"
#include "earlybert/model/any_bert_model.h"
#include "earlybert/prune/ticket_options.h"
#include "earlybert/tasks/task.h"
#include "earlybert/train/phase.h"
#include "earlybert/train/run_files.h"
#include "earlybert/train/training_args.h"

namespace earlybert {

/// One optimizer update.
struct StepRecord {
  int64_t step = 0;  ///< updates done including this one
  Phase phase = Phase::Search;
  double loss = 0;           ///< task loss, mean over the micro-batches
  std::optional<double> l1;  ///< the L1 term (search only)
  double lr = 0;
  double grad_norm = 0;
};

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
  /// After every optimizer update, with what it did (tests and tools that follow the losses).
  std::function<void(const StepRecord& record)> on_update;
};

struct TrainResult {
  int64_t global_step = 0;
  int64_t max_steps = 0;  ///< the resolved budget in updates
  Phase phase = Phase::Search;
  bool stopped = false;  ///< stopped by a signal or hook (a checkpoint was saved)
  int stop_signal = 0;   ///< SIGTERM / SIGINT, 0 for a hook
  std::string last_checkpoint;
  int64_t draw_step = -1;
  DrawReason draw_reason = DrawReason::NotYet;  ///< DrawReason::Given for a ticket of another run
  int64_t params_initial = 0;                   ///< parameters of the model before any pruning
  int64_t params_final = 0;
  std::optional<StepRecord> last_update;  ///< the last update this call ran (TrainerHooks::on_update sees them all)
  Metrics eval_metrics;                   ///< the final evaluation (no "eval_" prefix); empty when stopped
  PhaseTimes times;
};

/// "auto" → CUDA when available, else CPU; "cpu", "cuda", "cuda:N". Error naming 'device' otherwise
/// or when CUDA is asked for and absent.
torch::Device resolve_device(const std::string& device);

/// The seed a task receives for its randomness in `epoch` of a run seeded with `seed`.
uint64_t epoch_seed(int64_t seed, int64_t epoch);

/// make_task(task_options(args)): the task args.task names (tasks/task_registry.h).
std::unique_ptr<Task> make_task(const TrainingArguments& args);

class Trainer {
 public:
  /// `communicator`: the processes of a data-parallel run; null = this process alone.
  Trainer(TrainingArguments args, std::unique_ptr<Task> task, TrainerHooks hooks = {},
          std::shared_ptr<Communicator> communicator = nullptr);
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
