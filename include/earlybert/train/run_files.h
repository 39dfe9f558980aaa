// The run directory: the one place that names the files a run writes and spells their keys.
//
// The trainer writes these files and `earlybert compare` / `earlybert report` read them back, all
// through this header, so a file name or key exists once:
//
//   output_dir/
//     config.yaml          the resolved arguments (training_args.h to_yaml)
//     metrics.jsonl        one record per logging step and per evaluation (metrics_log.h)
//     runs/                TensorBoard event files (tensorboard.h), unless logging_dir says otherwise
//     ticket.json          the drawn ticket (prune/ticket.h)
//     trainer_state.json   where the run stands (trainer_state.h)
//     eval_results.json    the final evaluation: eval_<metric> values, eval_runtime, epoch and — for a
//                          training run — the phase times and the draw step (below)
//     train_results.json   the phase times, draw step and reason, final phase, parameter counts
//     all_results.json     train_results.json and eval_results.json in one object, plus train_samples,
//                          as Hugging Face's run_glue.py writes it (eval_samples: the task's "samples")
//     config.json, model.safetensors, vocab.txt ...  the final model (output_dir is a model directory)
//     checkpoint-N/        the same model files, optimizer.pt, scheduler.json, trainer_state.json,
//                          ticket.json, timing.json, config.yaml, COMPLETE (checkpoint_dirs.h), and
//                          scaler.json in fp16 runs (mixed_precision.h)
//
// Phase times are spelled one way everywhere (eval_results.json, train_results.json, a checkpoint's
// timing.json): train_runtime (the whole of train(), accumulated over resumes), search_runtime,
// efficient_runtime, dense_runtime (updates of that phase), eval_total_runtime (all evaluations),
// checkpoint_runtime (writing checkpoints); seconds. (timing.json of earlier versions used the bare
// phase names; it is still read.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "earlybert/prune/ticket.h"
#include "earlybert/tasks/task.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/phase.h"
#include "earlybert/train/trainer_state.h"

namespace earlybert {

namespace run_files {
inline constexpr const char* kConfigYaml = "config.yaml";
inline constexpr const char* kMetrics = "metrics.jsonl";
inline constexpr const char* kTensorBoardDir = "runs";
inline constexpr const char* kTicket = "ticket.json";
inline constexpr const char* kTrainerState = "trainer_state.json";
inline constexpr const char* kEvalResults = "eval_results.json";
inline constexpr const char* kTrainResults = "train_results.json";
inline constexpr const char* kAllResults = "all_results.json";
inline constexpr const char* kTiming = "timing.json";
inline constexpr const char* kOptimizer = "optimizer.pt";
inline constexpr const char* kScheduler = "scheduler.json";
inline constexpr const char* kScaler = "scaler.json";  ///< fp16 runs: the loss scaler (mixed_precision.h)
}  // namespace run_files

/// Wall-clock seconds per phase, accumulated over resumes.
struct PhaseTimes {
  double search = 0;      ///< training updates (and mask checks) before the draw
  double efficient = 0;   ///< training updates after the draw (or with a given / random ticket)
  double dense = 0;       ///< training updates of ticket_mode none
  double eval = 0;        ///< evaluations
  double checkpoint = 0;  ///< writing checkpoints
  double total = 0;       ///< the whole of train()

  /// The seconds of `phase`'s updates (search, efficient or dense).
  double& of(Phase phase);
  bool operator==(const PhaseTimes& o) const;
};

/// eval_results.json.
struct EvalResults {
  Metrics metrics;                  ///< the task's metrics without the "eval_" prefix; null is read as NaN
  std::optional<double> epoch;      ///< training runs
  double eval_runtime = 0;          ///< seconds of this evaluation
  std::optional<PhaseTimes> times;  ///< training runs: the phase times of the whole run
  int64_t draw_step = -1;           ///< training runs

  std::string to_json() const;
  static EvalResults from_json(const std::string& text, const std::string& source);
};

/// train_results.json.
struct TrainResults {
  double epoch = 0;
  int64_t global_step = 0;
  Phase phase = Phase::Search;
  int64_t draw_step = -1;
  DrawReason draw_reason = DrawReason::NotYet;
  int64_t params_initial = 0;  ///< parameters before any pruning
  int64_t params_final = 0;
  PhaseTimes times;

  std::string to_json() const;
  static TrainResults from_json(const std::string& text, const std::string& source);
};

/// all_results.json: the keys of `train` and then those of `eval` not already written (the phase times
/// and epoch are the same in both), plus "train_samples".
std::string all_results_json(const TrainResults& train, const EvalResults& eval, int64_t train_samples);

/// A checkpoint's timing.json.
std::string timing_json(const PhaseTimes& times);
PhaseTimes timing_from_json(const std::string& text, const std::string& source);

/// What a finished run's directory says, as `earlybert compare` and `earlybert report` show it.
struct RunRecord {
  std::string dir;
  std::string name;                       ///< the directory's last component
  EvalResults eval;                       ///< required, with the phase times of a training run
  TrainerState state;                     ///< required
  std::vector<MetricsRecord> metrics;     ///< required (may be empty)
  std::optional<Ticket> ticket;           ///< present when the run drew (or was given) a ticket
  std::optional<TrainResults> train;      ///< optional (parameter counts)
  std::optional<std::string> task;        ///< from config.yaml, when present
  std::optional<TicketMode> ticket_mode;  ///< from config.yaml
  std::string given_ticket;               ///< config.yaml's `ticket` (a file of another run), if any
};

/// Reads the run in `dir`. A missing required file is an Error naming its path (and asking whether
/// `dir` is a finished run's output_dir); malformed files name the file and key.
RunRecord read_run(const std::string& dir);

}  // namespace earlybert
