// earlybert — command-line entry point.
//
// Before anything else, main() makes sure OMP_WAIT_POLICY is set: libgomp reads it once, when it is
// loaded, and its default (idle threads spin) makes the OpenMP workers of OpenBLAS and LibTorch fight
// each other on small machines (measured: training steps up to 1.8x slower on 2 cores). If the
// variable is missing we set it to PASSIVE and re-execute ourselves; a user's own value is kept.
//
// One flag spelling everywhere: the long options of every subcommand are declared with dashes and the
// training keys are matched with dashes or underscores, so main() rewrites `--a_b` (before any '=') to
// `--a-b` for CLI11, and --max_seq_length and --max-seq-length mean the same in every subcommand.
// Exit status: commands.h.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/base/version.h"
#include "earlybert/runtime/allocator.h"

namespace {

void ensure_omp_wait_policy(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("EARLYBERT_NO_REEXEC") != nullptr) return;
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  ::setenv("EARLYBERT_NO_REEXEC", "1", 1);
  ::execv("/proc/self/exe", argv);
  // execv only returns on failure: carry on with the default policy.
}

/// `--a_b[=v]` → `--a-b[=v]`; anything else unchanged.
std::string dashed_flag(std::string arg) {
  if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) return arg;
  const size_t end = std::min(arg.find('='), arg.size());
  for (size_t i = 2; i < end; ++i)
    if (arg[i] == '_') arg[i] = '-';
  return arg;
}

}  // namespace

int main(int argc, char** argv) {
  ensure_omp_wait_policy(argv);
  // Large tensors reuse heap pages instead of mmap/munmap per step (runtime/allocator.h);
  // EARLYBERT_KEEP_FREED_MEMORY=0 leaves glibc's defaults (to measure the difference, or to give
  // memory back between phases).
  const char* keep = std::getenv("EARLYBERT_KEEP_FREED_MEMORY");
  if (keep == nullptr || std::string(keep) != "0") earlybert::keep_freed_memory();

  CLI::App app{"earlybert: BERT pre-training and fine-tuning with early-bird lottery tickets", "earlybert"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("earlybert ") + earlybert::version());
  earlybert::cli::add_version_command(app);
  earlybert::cli::add_config_command(app);
  earlybert::cli::add_bench_command(app);
  earlybert::cli::add_tokenize_command(app);
  earlybert::cli::add_tokenizer_command(app);
  earlybert::cli::add_score_command(app);
  earlybert::cli::add_prepare_pretraining_command(app);
  earlybert::cli::add_wordnet_command(app);
  earlybert::cli::add_pretrain_command(app);
  earlybert::cli::add_finetune_command(app);
  earlybert::cli::add_eval_command(app);
  earlybert::cli::add_predict_command(app);
  earlybert::cli::add_compare_command(app);
  earlybert::cli::add_report_command(app);
  earlybert::cli::add_export_command(app);

  std::vector<std::string> args;
  for (int i = argc - 1; i >= 1; --i) args.push_back(dashed_flag(argv[i]));  // CLI11 takes them reversed
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints help / version (code 0) or the parse error
    return code == 0 ? 0 : 2;
  } catch (const earlybert::cli::ExitStatus& e) {
    return e.code;
  } catch (const earlybert::Error& e) {
    std::cerr << "earlybert: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "earlybert: failed: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
