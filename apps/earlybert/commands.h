// The earlybert CLI's subcommands. Each lives in its own file and adds itself to the CLI11 app;
// main.cpp calls every add_*_command and runs the chosen one. A subcommand's callback throws
// earlybert::Error for bad input; main prints it as one line and exits with status 2.
//
// Exit status (README "Exit status"): 0 done; 1 training failed (an unexpected error while running);
// 2 usage, configuration or input error (CLI11 parse errors too); 128 + N after signal N stopped a
// training run and its checkpoint was saved (143 for SIGTERM, 130 for Ctrl-C), so that a scheduler
// knows to run the same command again (with --resume_from_checkpoint auto).
#pragma once

namespace CLI {
class App;
}

namespace earlybert::cli {

/// Thrown by a callback to end the program with `code` after a normal finish (e.g. 143: stopped by
/// SIGTERM, checkpoint saved).
struct ExitStatus {
  int code = 0;
};

void add_version_command(CLI::App& app);
void add_config_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_tokenize_command(CLI::App& app);
void add_tokenizer_command(CLI::App& app);
void add_score_command(CLI::App& app);
void add_prepare_pretraining_command(CLI::App& app);
void add_wordnet_command(CLI::App& app);
void add_pretrain_command(CLI::App& app);
void add_finetune_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_export_command(CLI::App& app);

}  // namespace earlybert::cli
