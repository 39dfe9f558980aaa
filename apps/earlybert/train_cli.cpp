// Shared plumbing of the training commands — see train_cli.h.
#include "train_cli.h"

#include <torch/cuda.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "earlybert/base/error.h"
#include "earlybert/base/log.h"
#include "earlybert/distributed/launch.h"

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
      "Any configuration key is also a flag: --key value, --key=value, --flag / --no_flag.\n"
      "Priority: defaults < --config files (in order) < flags < --set.\nExample:\n  " +
      example);
}

TrainingArguments resolve_cli_arguments(CLI::App* cmd, const TrainCliOptions& o,
                                        const std::vector<ConfigOverride>& defaults) {
  TrainingArguments args;
  for (const auto& d : defaults) apply_override(args, d);
  for (const auto& path : o.configs) apply_config_file(args, path);
  for (const auto& f : parse_hf_flags(cmd->remaining())) apply_override(args, f);
  for (const auto& s : o.sets) apply_override(args, parse_set_override(s));
  validate(args);
  return args;
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
