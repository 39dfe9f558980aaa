// The comparison table of the report: one column per run, one row per quantity — what
// `earlybert compare` prints (task, ticket_mode, the final eval metrics, updates, draw step and
// reason, heads / FFN neurons / parameters kept, the wall time of search, efficient training, dense
// training, evaluation and the whole run, the time saved against the first run, tokens/s per phase).
#pragma once

#include <string>
#include <vector>

#include "earlybert/report/run_data.h"

namespace earlybert::report {

struct TableRow {
  std::string label;
  std::vector<std::string> cells;  ///< one per run
};

/// The rows, starting with "run" (the run names). Metric rows: `metric_keys` (eval_* names) when given,
/// else every eval_* key any run has, sorted.
std::vector<TableRow> comparison_rows(const std::vector<RunData>& runs,
                                      const std::vector<std::string>& metric_keys = {});

/// The rows as aligned text, one line per row (what `earlybert compare` prints).
std::string format_table(const std::vector<TableRow>& rows);

}  // namespace earlybert::report
