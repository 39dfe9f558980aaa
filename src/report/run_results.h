// The report's own reading of eval_results.json and train_results.json — kept in this one place on
// purpose: train/run_files.h (being written) will own the names and keys of every run file, and this
// function then becomes a call to its readers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "earlybert/report/run_data.h"

namespace earlybert::report {

struct RunResults {
  std::map<std::string, std::optional<double>> metrics;  ///< eval_* except the *runtime keys
  PhaseTimes times;
  std::optional<int64_t> params_initial, params_final;  ///< absent without train_results.json
};

/// eval_results.json (required) and train_results.json (optional) of the run in `dir`; Errors name the
/// file and the key.
RunResults read_run_results(const std::string& dir);

}  // namespace earlybert::report
