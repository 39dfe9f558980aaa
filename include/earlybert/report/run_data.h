// One finished training run as the report sees it, read from its output directory.
//
// read_run_data() reads a run's output_dir through read_run() (train/run_files.h, the one owner of
// the run files' names and keys) and adds what only the report needs: the mask-distance history of a
// search that never drew (from the newest checkpoint's ticket.json, when there is one) and the model
// structure of runs without a ticket (config.json). A missing required file or a malformed one is an
// earlybert::Error of one line naming the file (and the key). The struct is plain data, so every
// picture and table is a pure function of it and is tested on constructed runs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "earlybert/prune/ticket_options.h"
#include "earlybert/report/model_structure.h"
#include "earlybert/train/phase.h"
#include "earlybert/train/run_files.h"

namespace earlybert::report {

struct TrainingPoint {
  int64_t step = 0;
  Phase phase = Phase::Dense;
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
  DrawReason reason = DrawReason::NotYet;
  /// The distance the early-bird rule allowed per kind: max(threshold, 2·min_swaps/entries) when the
  /// ticket's plan gives the entries (prune/early_bird.h), else the kind's threshold.
  double allowed_heads = 0;
  double allowed_ffn = 0;
  int64_t window = 0;
  std::vector<DistancePoint> distances;
  std::string source;  ///< the file it was read from
};

struct RunData {
  std::string dir;
  std::string name;                                      ///< the directory's last component
  std::string task;                                      ///< "" when config.yaml is absent
  std::string ticket_mode;                               ///< ""    "          ; "ticket <path>" for a given ticket
  std::map<std::string, std::optional<double>> metrics;  ///< final eval_* (null -> nullopt)
  PhaseTimes times;                                      ///< wall time in seconds (run_files.h)
  int64_t global_step = 0;
  int64_t draw_step = -1;  ///< -1: no ticket (dense, or the search never drew); 0 for a given ticket
  DrawReason draw_reason = DrawReason::NotYet;
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
