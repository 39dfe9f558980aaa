// One finished training run as the report sees it, read from its output directory.
//
// read_run_data() reads the files a run of `earlybert pretrain` / `finetune` leaves in its output_dir
// (the same ones `earlybert compare` reads):
//   eval_results.json   final eval_* metrics; wall time of every phase                       required
//   trainer_state.json  global step, final phase, draw step and reason                       required
//   metrics.jsonl       training loss per logging step, eval metrics per evaluation,
//                       tokens/s per phase                                                   required
//   ticket.json         mask-distance history, threshold, the plan (structure)    required when drawn
//                       (a run still searching at its end has no ticket.json of its own: the
//                       distance history then comes from its newest checkpoint, when there is one)
//   train_results.json  parameters before and after pruning                                  optional
//   config.json         model shape, for the structure of runs without a ticket              optional
//   config.yaml         task and ticket_mode (labels only)                                   optional
// A missing required file or a malformed one is an earlybert::Error of one line naming the file (and
// the key). The struct is plain data, so every picture and table is a pure function of it and is
// tested on constructed runs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "earlybert/report/model_structure.h"

namespace earlybert::report {

/// The phase a training step belongs to (metrics.jsonl's "phase" of training records).
enum class Phase { search, efficient, dense };
std::string to_string(Phase phase);

struct TrainingPoint {
  int64_t step = 0;
  Phase phase = Phase::dense;
  double loss = 0;  ///< NaN when not logged or not finite
};

/// One evaluation: its eval_* values (runtimes left out); NaN where the run wrote null.
struct EvalPoint {
  int64_t step = 0;
  std::map<std::string, double> metrics;
};

/// One early-bird check: normalized Hamming distances of the newest masks to the previous ones and the
/// maximum over the window (absent before there were enough masks).
struct DistancePoint {
  int64_t step = 0;
  std::optional<double> heads, ffn;
  std::optional<double> window_max_heads, window_max_ffn;
};

/// What ticket.json says about the draw.
struct TicketHistory {
  int64_t draw_step = -1;  ///< in the run that drew it; -1 while still searching
  std::string reason;      ///< early_bird | max_search_steps | fixed_step | random | not_yet
  double threshold = 0;
  int64_t window = 0;
  std::vector<DistancePoint> distances;
  std::string source;  ///< the file it was read from
};

/// Wall time in seconds (eval_results.json).
struct PhaseTimes {
  double search = 0;
  double efficient = 0;
  double dense = 0;
  double evaluation = 0;
  double checkpoint = 0;  ///< 0 when the run did not record it
  double total = 0;       ///< train_runtime: the whole run
};

struct RunData {
  std::string dir;
  std::string name;                                      ///< the directory's last component
  std::string task;                                      ///< "" when config.yaml is absent
  std::string ticket_mode;                               ///< ""    "          ; "ticket <path>" for a given ticket
  std::map<std::string, std::optional<double>> metrics;  ///< final eval_* (null -> nullopt)
  PhaseTimes times;
  int64_t global_step = 0;
  int64_t draw_step = -1;  ///< -1: no ticket (dense, or the search never drew); 0 for a given ticket
  std::string draw_reason;
  std::optional<int64_t> params_initial, params_final;
  std::vector<TrainingPoint> training;
  std::vector<EvalPoint> evaluations;
  std::map<Phase, double> tokens_per_s;  ///< mean over the phase's logging records
  std::optional<TicketHistory> ticket;
  std::vector<LayerStructure> structure;  ///< empty when neither a ticket nor config.json says
  std::string structure_source;           ///< "ticket.json" or "config.json"
};

/// Reads the run in `dir` (see above).
RunData read_run_data(const std::string& dir);

}  // namespace earlybert::report
