// `earlybert report`: one self-contained HTML page about finished training runs — the comparison table
// of `earlybert compare`, wall time per phase, loss and evaluation curves with the phases and the draw
// marked, the early-bird mask distances, and a picture of each run's pruned structure.
//
//   earlybert report runs/dense runs/earlybert --output report.html [--title "SST-2, seed 1"]
//
// Each argument is the output_dir of a finished `earlybert finetune` / `pretrain` run (the files it
// reads: include/earlybert/report/run_data.h); the first run is the reference for the time saved. The
// page has inline CSS and SVG only: it needs no network and no JavaScript, and can be mailed or
// committed as it is.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "earlybert/base/files.h"
#include "earlybert/report/report.h"
#include "earlybert/report/run_data.h"

namespace earlybert::cli {

void add_report_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> runs;
    std::string output;
    std::string title;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "report", "Write an HTML report of finished runs: table, time per phase, curves, mask distances, structure");
  cmd->add_option("runs", o->runs, "Run output directories; the first is the reference for the time saved")
      ->required()
      ->expected(1, -1);
  cmd->add_option("--output,-o", o->output, "The HTML file to write")->required();
  cmd->add_option("--title", o->title, "Page title (default: \"EarlyBERT training report\")");
  cmd->footer("Example:\n  earlybert report runs/wordnet-dense runs/wordnet-earlybert --output report.html");
  cmd->callback([o] {
    std::vector<report::RunData> runs;
    for (const auto& dir : o->runs) runs.push_back(report::read_run_data(dir));
    report::ReportOptions options;
    if (!o->title.empty()) options.title = o->title;
    write_file_atomic(o->output, report::render_report(runs, options));
    std::cout << "report of " << runs.size() << (runs.size() == 1 ? " run" : " runs") << " written to " << o->output
              << "\n";
  });
}

}  // namespace earlybert::cli
