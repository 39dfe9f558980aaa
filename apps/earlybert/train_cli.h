// Shared command-line plumbing of `earlybert pretrain / finetune / eval / predict`.
//
// Every training key of TrainingArguments (training_args.h) is accepted three ways, resolved as
// marian-nmt does: built-in defaults < --config files (repeatable; a later file wins) < command-line
// flags, where flags are Hugging Face-style `--key value`, `--key=value`, a bool `--key` or
// `--no_key`, and `--set key=value` (applied after the `--key value` flags). Unknown keys, wrong types
// and out-of-range values are errors naming the key (and the file:line for config files).
// `--dump-config` prints the resolved configuration as YAML (loadable with --config) and exits;
// `--list-keys` prints every key with its group, type, default and help.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "earlybert/distributed/communicator.h"
#include "earlybert/train/training_args.h"

namespace CLI {
class App;
}

namespace earlybert::cli {

struct TrainCliOptions {
  std::vector<std::string> configs;
  std::vector<std::string> sets;
  bool dump_config = false;
  bool list_keys = false;
};

/// Adds --config, --set, --dump-config and --list-keys to `cmd` and lets the `--key value` flags through
/// (CLI11 extras). `example` is shown in the help footer.
void add_training_options(CLI::App* cmd, TrainCliOptions& options, const std::string& example);

/// Resolves the arguments of `cmd` (after CLI11 parsed it): `defaults` (e.g. task=pretraining) are
/// applied first, then the config files, the flags and --set, then validate().
TrainingArguments resolve_cli_arguments(CLI::App* cmd, const TrainCliOptions& options,
                                        const std::vector<ConfigOverride>& defaults = {});

/// Handles --dump-config / --list-keys: prints and returns true when the command should stop here.
bool handle_info_flags(const TrainCliOptions& options, const TrainingArguments& args);

/// Console logging for training commands: "[HH:MM:SS] message" on stderr.
void setup_training_logging();

/// The processes of this run, from torchrun's environment (RANK, WORLD_SIZE, ...; distributed/launch.h):
/// one process unless launched for data parallelism, then Gloo for CPU training and NCCL for CUDA
/// training (`device`). Ranks other than 0 log warnings only unless EARLYBERT_LOG_LEVEL is set.
std::shared_ptr<Communicator> cli_communicator(const TrainingArguments& args);

}  // namespace earlybert::cli
