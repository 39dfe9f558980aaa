// trainer_state.json — everything besides weights and optimizer moments that a resumed run needs to
// continue exactly where it stopped, in a readable file (as Hugging Face's and marian's).
//
//   {
//     "format_version": 1,
//     "global_step": 120, "epoch": 1.5, "phase": "efficient",
//     "max_steps": 400, "num_train_epochs": 5.0, "world_size": 1,
//     "data_position": {"epoch": 1, "batch_in_epoch": 40, "samples_seen": 3840},
//     "rng": {"torch_cpu": "<base64>", "torch_cuda": ["<base64>", ...]},
//     "rank_rng": [{"torch_cpu": ..., "torch_cuda": [...]}, ...],   (data-parallel runs: one per rank)
//     "draw_step": 60, "draw_reason": "early_bird",
//     "early_bird": {... EarlyBirdDetector::to_json() ...},
//     "best_metric": 0.83, "best_model_checkpoint": "out/checkpoint-100",
//     "log_history": [ {MetricsRecord}, ... ]
//   }
//
// Hugging Face key names are used where Hugging Face has the field (global_step, epoch, max_steps,
// num_train_epochs, best_metric, best_model_checkpoint, log_history).
// The RNG states are the raw LibTorch generator states (base64), so they restore bit for bit (the data
// order needs no state: it is a pure function of seed and epoch). Reading checks every key and type
// and names the file and key in errors; phase and draw_reason are read into their enums
// (phase.h, prune/ticket_options.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "earlybert/prune/ticket_options.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/phase.h"

namespace earlybert {

/// Where the data stream stands: the next batch to read is batch `batch_in_epoch` of epoch `epoch`.
struct DataPosition {
  int64_t epoch = 0;
  int64_t batch_in_epoch = 0;
  int64_t samples_seen = 0;
  bool operator==(const DataPosition& o) const {
    return epoch == o.epoch && batch_in_epoch == o.batch_in_epoch && samples_seen == o.samples_seen;
  }
};

struct RngState {
  std::string torch_cpu;                ///< raw bytes of the default CPU generator's state
  std::vector<std::string> torch_cuda;  ///< raw bytes per CUDA device (empty without CUDA)
  bool operator==(const RngState& o) const { return torch_cpu == o.torch_cpu && torch_cuda == o.torch_cuda; }
};

/// Captures LibTorch's default generators (CPU, and every CUDA device when CUDA is available).
RngState capture_torch_rng_state();
/// Restores what capture_torch_rng_state() captured (CUDA states for the devices present). A state
/// of the wrong size is an Error naming `where`.
void restore_torch_rng_state(const RngState& state, const std::string& where = "trainer_state.json: key 'rng'");

struct TrainerState {
  int64_t global_step = 0;
  double epoch = 0;
  Phase phase = Phase::Search;
  int64_t max_steps = 0;
  double num_train_epochs = 0;
  int64_t world_size = 1;  ///< checked on resume: the data position assumes the same sharding
  DataPosition data_position;
  RngState rng;
  /// Every rank's RNG state, in rank order (data-parallel runs, where each rank has its own dropout
  /// stream; rank r resumes from entry r). Empty for one process; written only when not empty.
  std::vector<RngState> rank_rng;
  int64_t draw_step = -1;  ///< -1 until the ticket is drawn
  DrawReason draw_reason = DrawReason::NotYet;
  std::string early_bird;  ///< EarlyBirdDetector::to_json() text; empty when not searching
  std::optional<double> best_metric;
  std::string best_model_checkpoint;
  std::vector<MetricsRecord> log_history;

  std::string to_json() const;
  static TrainerState from_json(const std::string& text, const std::string& source);
  /// Written atomically.
  void save(const std::string& path) const;
  static TrainerState load(const std::string& path);

  bool operator==(const TrainerState& other) const;
};

}  // namespace earlybert
