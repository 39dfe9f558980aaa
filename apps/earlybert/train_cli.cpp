// Shared plumbing of the training commands — see train_cli.h.
#include "train_cli.h"

#include <torch/cuda.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "config_dir.h"
#include "earlybert/base/error.h"
#include "earlybert/base/log.h"
#include "earlybert/data/glue.h"
#include "earlybert/distributed/launch.h"
#include "earlybert/tasks/task_registry.h"
#include "earlybert/tasks/text_classification_task.h"
#include "earlybert/train/config_docs.h"
#include "earlybert/train/rank_zero_writer.h"

namespace earlybert::cli {

void add_training_options(CLI::App* cmd, TrainCliOptions& o, const std::string& example) {
  cmd->add_option("--config", o.configs, "YAML config file(s); a later file overrides an earlier one")
      ->type_name("FILE")
      ->take_all();
  cmd->add_option("--set", o.sets, "key=value override (repeatable; applied last)")->type_name("KEY=VALUE");
  cmd->add_flag("--dump-config,--dump_config", o.dump_config, "print the resolved configuration as YAML and exit");
  cmd->add_flag("--list-keys,--list_keys", o.list_keys, "list every configuration key and exit");
  cmd->allow_extras();
  cmd->footer(
      "Any configuration key is also a flag: --key value, --key=value, --flag / --no_flag (underscores or "
      "dashes).\nPriority: defaults < --config files (in order) < flags < --set.\nExample:\n  " +
      example + "\n\n" + training_arguments_help());
}

void Missing::add(const std::string& key, const std::string& how_to_supply) {
  items_.push_back(key + " (" + how_to_supply + ")");
}

void Missing::throw_if_any(const std::string& command) const {
  if (items_.empty()) return;
  std::string text;
  for (const auto& item : items_) text += (text.empty() ? "" : "; ") + item;
  fail(command, "missing " + text);
}

TrainingArguments resolve_cli_arguments(CLI::App* cmd, const TrainCliOptions& o,
                                        const std::vector<ConfigOverride>& defaults, Missing& missing) {
  std::vector<ConfigOverride> overrides = parse_hf_flags(cmd->remaining());
  for (const auto& s : o.sets) overrides.push_back(parse_set_override(s));
  TrainingArguments args;
  args.output_dir.clear();  // empty until a source sets it: commands that write need one
  for (const auto& d : defaults) apply_override(args, d);
  if (o.task_preset && o.configs.empty()) {
    // The task is known only from the flags; its preset goes below them, as a --config file would.
    std::string task = args.task;
    for (const auto& ov : overrides)
      if (ov.key == "task") task = ov.value;
    if (!task.empty() && is_training_task(task)) {
      const std::string preset = find_task_preset(canonical_task_name(task));
      setup_training_logging();
      if (!preset.empty()) {
        logging::info("no --config given: applying the {} preset {}", canonical_task_name(task), preset);
        apply_config_file(args, preset);
      } else {
        logging::info("no --config given and no preset for task {} (configs directory: {}): built-in defaults",
                      canonical_task_name(task), find_config_dir().empty() ? "not found" : find_config_dir());
      }
    }
  }
  for (const auto& path : o.configs) apply_config_file(args, path);
  for (const auto& ov : overrides) apply_override(args, ov);
  if (args.output_dir.empty() && o.task_preset && !args.task.empty()) {
    // `earlybert finetune --task mrpc --model_name_or_path M --data_dir D` runs as it is: the task's
    // preset, and its own directory under runs/ (logged; resume it with --resume_from_checkpoint auto).
    args.output_dir = "runs/" + args.task;
    setup_training_logging();
    logging::info("no --output_dir given: writing to {}", args.output_dir);
  }
  if (args.output_dir.empty()) {
    if (o.writes_output) missing.add("output_dir", "--output_dir DIR: where the model, checkpoints and results go");
    args.output_dir = TrainingArguments{}.output_dir;  // a placeholder the command never writes to
  }
  validate(args);
  return args;
}

void check_task_inputs(TrainingArguments& args, Missing& missing, bool trained_model) {
  if (args.task.empty() && !args.train_file.empty()) {
    args.task = kTextClassificationTask;  // run_glue.py without --task_name: the user's own files
    setup_training_logging();
    logging::info("no task given: training text_classification on {}", args.train_file);
  }
  if (args.task.empty()) {
    std::string names;
    for (const auto& n : training_task_names())
      if (task_category(n) == TaskCategory::FineTuning) names += (names.empty() ? "" : ", ") + n;
    missing.add("task", "--task NAME, one of " + names + "; or --train_file FILE for your own CSV/TSV/JSON Lines data");
  } else if (task_category(args.task) == TaskCategory::PreTraining) {
    fail("task", "'" + args.task + "' is a pre-training task (use earlybert pretrain)");
  } else if (args.data_dir.empty() && (args.train_file.empty() || args.validation_file.empty())) {
    const TaskSpec* spec = lookup_task(args.task);
    if (spec != nullptr && !spec->dir_name.empty() && spec->load == nullptr) {
      const char* glue_dir = std::getenv("GLUE_DIR");
      if (glue_dir != nullptr && *glue_dir != '\0') {
        args.data_dir = glue_dir;
        setup_training_logging();
        logging::info("data_dir not given: using GLUE_DIR={}", args.data_dir);
      } else {
        missing.add("data_dir", "--data_dir DIR: the GLUE root holding " + spec->dir_name +
                                    "/ or that folder; or set "
                                    "the GLUE_DIR environment variable; or --train_file and --validation_file");
      }
    } else if (args.task == "squad" || args.task == "squad_v2") {
      missing.add("data_dir",
                  "--data_dir DIR: the folder holding the SQuAD train/dev JSON files; or --train_file and "
                  "--validation_file");
    }
  }
  if (args.model_name_or_path.empty() && (trained_model || args.config_name.empty())) {
    missing.add("model_name_or_path",
                trained_model ? "--model_name_or_path DIR: the trained model (a finetune output_dir)"
                              : "--model_name_or_path DIR: a Hugging Face BERT directory or an earlybert pretrain "
                                "output; or --config_name PRESET for a new model");
  }
}

bool handle_info_flags(const TrainCliOptions& o, const TrainingArguments& args) {
  if (o.list_keys) {
    std::string group;
    for (const auto& info : training_argument_infos()) {
      if (info.group != group) {
        group = info.group;
        std::cout << "\n[" << group << "]\n";
      }
      std::cout << "  " << info.name << " (" << info.type << ", default " << info.default_value << ")";
      if (!info.choices.empty()) {
        std::cout << " {";
        for (size_t i = 0; i < info.choices.size(); ++i)
          std::cout << (i ? "," : "") << (info.choices[i].empty() ? "\"\"" : info.choices[i]);
        std::cout << "}";
      }
      std::cout << "\n      " << info.help << "\n";
    }
    return true;
  }
  if (o.dump_config) {
    std::cout << to_yaml(args);
    return true;
  }
  return false;
}

void setup_training_logging() { logging::use_console(); }

std::shared_ptr<Communicator> cli_communicator(const TrainingArguments& args) {
  DistributedOptions options;
  // CUDA training reduces over NCCL, one GPU per local rank; CPU training over Gloo.
  options.use_cuda = args.device.rfind("cuda", 0) == 0 || (args.device == "auto" && torch::cuda::is_available());
  std::shared_ptr<Communicator> comm = communicator_from_environment(options);
  if (comm->world_size() > 1) {
    // Every rank runs the same loop and would print the same progress: the other ranks log warnings and
    // errors only (as Hugging Face's log_level_replica), unless EARLYBERT_LOG_LEVEL says otherwise.
    if (!comm->is_main() && std::getenv("EARLYBERT_LOG_LEVEL") == nullptr) logging::set_level(logging::Level::warn);
    logging::info("data parallelism: rank {} of {} ({}), local rank {}", comm->rank(), comm->world_size(),
                  comm->backend(), comm->local_rank());
  }
  return comm;
}

}  // namespace earlybert::cli
