// Shared command-line plumbing of `earlybert pretrain / finetune / eval / predict`.
//
// Every training key of TrainingArguments (training_args.h) is accepted three ways, resolved as
// marian-nmt does: built-in defaults < --config files (repeatable; a later file wins) < command-line
// flags, where flags are Hugging Face-style `--key value`, `--key=value`, a bool `--key` or
// `--no_key`, and `--set key=value` (applied after the `--key value` flags). Unknown keys, wrong types
// and out-of-range values are errors naming the key (and the file:line for config files).
// `--dump-config` prints the resolved configuration as YAML (loadable with --config) and exits;
// `--list-keys` prints every key with its group, type, default and help; --help lists them too, by group
// (config_docs.h, generated from the key table).
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
  /// finetune: without --config, the task's preset configs/finetune/<task>.yaml (config_dir.h) applies
  /// first (logged).
  bool task_preset = false;
  /// The command writes files into output_dir, which must then be given (flag, --set or a config file).
  bool writes_output = true;
};

/// What a command still needs before it can start, reported together: one Error naming every missing
/// key and how to supply it ("finetune: missing task (--task NAME ...); data_dir (--data_dir DIR ...)").
class Missing {
 public:
  void add(const std::string& key, const std::string& how_to_supply);
  bool empty() const { return items_.empty(); }
  /// Error "<command>: missing ..." when anything was added.
  void throw_if_any(const std::string& command) const;

 private:
  std::vector<std::string> items_;
};

/// Checks what a task run needs, adding to `missing`: the task (or train_file: then the task is
/// text_classification), its data (data_dir — a GLUE task takes $GLUE_DIR when it is not given — or
/// train_file and validation_file), and the model (model_name_or_path; a new model from config_name is
/// allowed unless `trained_model`). Error right away for a pre-training task.
void check_task_inputs(TrainingArguments& args, Missing& missing, bool trained_model);

/// Adds --config, --set, --dump-config and --list-keys to `cmd` and lets the `--key value` flags through
/// (CLI11 extras). `example` is shown in the help footer.
void add_training_options(CLI::App* cmd, TrainCliOptions& options, const std::string& example);

/// Resolves the arguments of `cmd` (after CLI11 parsed it): `defaults` (e.g. task=pretraining) are
/// applied first, then the task preset (options.task_preset, no --config), the config files, the flags
/// and --set, then validate(). When options.writes_output and no source set output_dir, it is added to
/// `missing` (which the command reports with its other requirements).
TrainingArguments resolve_cli_arguments(CLI::App* cmd, const TrainCliOptions& options,
                                        const std::vector<ConfigOverride>& defaults, Missing& missing);

/// Handles --dump-config / --list-keys: prints and returns true when the command should stop here.
bool handle_info_flags(const TrainCliOptions& options, const TrainingArguments& args);

/// Console logging for training commands: "[HH:MM:SS] message" on stderr.
void setup_training_logging();

/// The processes of this run, from torchrun's environment (RANK, WORLD_SIZE, ...; distributed/launch.h):
/// one process unless launched for data parallelism, then Gloo for CPU training and NCCL for CUDA
/// training (`device`). Ranks other than 0 log warnings only unless EARLYBERT_LOG_LEVEL is set.
std::shared_ptr<Communicator> cli_communicator(const TrainingArguments& args);

}  // namespace earlybert::cli
