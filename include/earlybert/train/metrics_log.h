// metrics.jsonl — one JSON object per line, one line per logging step (and per evaluation).
//
//   {"step": 40, "epoch": 0.5, "phase": "search", "loss": 2.31, "l1": 0.0123, "learning_rate": 4.9e-05,
//    "grad_norm": 1.7, "tokens_per_s": 5120.5, "elapsed": 12.8}
//
// The fixed fields are written in that order when present; optional ones that were not measured are
// left out, and extra values (eval_accuracy, dist_heads, ...) follow them. A value that is not finite
// (a diverged loss) is written as null and read back as NaN. The same record is what
// trainer_state.json keeps as its log history.
//
// MetricsLogger appends through the RankZeroWriter (only rank 0 writes). On resume,
// truncate_after(step) first drops the lines of steps the resumed run will redo, so the file reads as
// if the run had never stopped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "earlybert/train/phase.h"
#include "earlybert/train/rank_zero_writer.h"

namespace earlybert {

struct MetricsRecord {
  int64_t step = 0;
  double epoch = 0;
  Phase phase = Phase::Search;  ///< the update's phase, or Phase::Eval for an evaluation
  std::optional<double> loss;   ///< task loss (without the L1 term)
  std::optional<double> l1;     ///< the L1 term, already multiplied by its coefficients
  std::optional<double> lr;     ///< written as "learning_rate" (Hugging Face's log_history); "lr" is read too
  std::optional<double> grad_norm;
  std::optional<double> tokens_per_s;
  std::optional<double> elapsed;  ///< seconds since the start of the run
  std::vector<std::pair<std::string, double>> extra;

  /// One JSON object on one line (no trailing newline). Error when an extra key repeats or shadows a
  /// fixed field.
  std::string to_json() const;
  /// Parses one line; `where` ("metrics.jsonl:12") names it in errors.
  static MetricsRecord from_json(const std::string& line, const std::string& where);

  bool operator==(const MetricsRecord& other) const;
};

/// Every record of a metrics.jsonl file; errors name "path:line".
std::vector<MetricsRecord> read_metrics_jsonl(const std::string& path);

class MetricsLogger {
 public:
  explicit MetricsLogger(RankZeroWriter output, std::string file = "metrics.jsonl");

  void log(const MetricsRecord& record) const;
  /// Rewrites the file (atomically) without the records whose step is > `step`.
  void truncate_after(int64_t step) const;
  std::string path() const { return output_.path(file_); }

 private:
  RankZeroWriter output_;
  std::string file_;
};

}  // namespace earlybert
