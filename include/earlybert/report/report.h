// The report of one or more finished runs: a single self-contained HTML page (inline CSS and SVG, no
// script, no network), what `earlybert report` writes.
//
// Sections, in order:
//   Comparison        the table of comparison_table.h
//   Time per phase    stacked bars: search, efficient, dense training, evaluation, checkpoints, other
//   Training loss     per run, on shared axes: loss per logging step, the phases shaded, the draw marked
//   Evaluation        per eval metric: every run's values per evaluation, each run's draw marked
//   Mask distances    per run that searched: head and FFN mask distance per check (and the window
//                     maxima), the early-bird threshold and the draw marked
//   Pruned structure  per run: heads kept per layer, FFN width per layer
// The page is well-formed XML as well as HTML5, so XML tools can check it; it depends on nothing but
// the RunData it is given (no clock, no environment), so the same runs give the same page.
#pragma once

#include <string>
#include <vector>

#include "earlybert/report/run_data.h"

namespace earlybert::report {

struct ReportOptions {
  std::string title = "EarlyBERT training report";
};

/// The whole page. At least one run (Error otherwise).
std::string render_report(const std::vector<RunData>& runs, const ReportOptions& options = {});

}  // namespace earlybert::report
