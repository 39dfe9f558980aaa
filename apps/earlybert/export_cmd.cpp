// `earlybert export`: a model directory this tool wrote (a finetune/pretrain output_dir or one of its
// checkpoints) as a stock Hugging Face BERT directory — slimming coefficients folded into the
// weights, pruned heads kept as config.json `pruned_heads`, pruned FFN neurons zero-padded back to
// one intermediate_size — that transformers' BertFor*.from_pretrained loads with identical outputs
// (see io/hf_export.h and docs/HF_EXPORT.md).
//
//   earlybert export runs/mrpc --output mrpc-hf
//   earlybert export runs/mrpc --output mrpc-compact --keep-pruned     (earlybert layout, smaller)
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/io/hf_export.h"

namespace earlybert::cli {
namespace {

struct ExportOptions {
  std::string model_dir;
  std::string output;
  std::string format = "hf";
  bool keep_pruned = false;
  bool overwrite = false;
  bool no_lower_case = false;
};

}  // namespace

void add_export_command(CLI::App& app) {
  auto o = std::make_shared<ExportOptions>();
  auto* cmd = app.add_subcommand("export", "Export a trained model directory as a stock Hugging Face BERT directory");
  cmd->footer("Example: earlybert export runs/mrpc --output mrpc-hf");
  cmd->add_option("model_dir", o->model_dir, "Model directory (config.json + weights) written by earlybert")
      ->required();
  cmd->add_option("--output,-o", o->output, "Directory to write (must be new or empty)")->required();
  cmd->add_option("--format", o->format, "Output format (hf: Hugging Face transformers)")->capture_default_str();
  cmd->add_flag("--keep-pruned,--keep_pruned", o->keep_pruned,
                "Keep pruned FFN layers compact (earlybert layout) instead of zero-padding them");
  cmd->add_flag("--overwrite", o->overwrite, "Replace an existing, non-empty output directory");
  cmd->add_flag("--no-lower-case,--no-do-lower-case,--no_do_lower_case", o->no_lower_case,
                "Cased vocabulary: tokenizer_config.json gets do_lower_case false (when the model has none)");
  cmd->callback([o] {
    if (o->format != "hf") fail("--format", "unknown format '" + o->format + "' (supported: hf)");
    HfExportOptions options;
    options.keep_pruned = o->keep_pruned;
    options.overwrite = o->overwrite;
    options.do_lower_case = !o->no_lower_case;
    const HfExportSummary s = export_hf_directory(o->model_dir, o->output, options);
    std::cout << "wrote " << o->output << ":";
    for (const auto& f : s.files) std::cout << " " << f;
    std::cout << "\n";
    int64_t pruned_heads = 0;
    for (const auto& [layer, heads] : s.config.pruned_heads) pruned_heads += static_cast<int64_t>(heads.size());
    std::cout << "folded " << s.folded_coefficients << " slimming coefficients; pruned heads " << pruned_heads
              << " (config.json pruned_heads); ";
    if (o->keep_pruned) {
      std::cout << "FFN kept compact (earlybert layout)\n";
    } else {
      std::cout << "zero-padded " << s.padded_neurons << " FFN neurons to intermediate_size "
                << s.config.intermediate_size << "\n";
    }
  });
}

}  // namespace earlybert::cli
