// `earlybert eval`: the task's metrics of a trained model directory (a finetune output_dir or one of its
// checkpoints), printed as JSON and written to output_dir/eval_results.json with "eval_" keys.
//
//   earlybert eval --task mrpc --data_dir glue/MRPC --model_name_or_path runs/mrpc --output_dir runs/mrpc-eval
//
// Pre-training tasks (mlm, pretraining) report MLM loss, accuracy and perplexity on the held-out
// records or validation_file. Options are the training keys (--config, --key value, --set).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/data/metrics.h"
#include "earlybert/tasks/task_registry.h"
#include "earlybert/train/trainer.h"
#include "train_cli.h"

namespace earlybert::cli {

void add_eval_command(CLI::App& app) {
  auto opts = std::make_shared<TrainCliOptions>();
  auto* cmd = app.add_subcommand("eval", "Evaluate a trained model on a task's dev split; prints metrics as JSON");
  add_training_options(cmd, *opts, "earlybert eval --task mrpc --data_dir glue/MRPC --model_name_or_path runs/mrpc");
  cmd->callback([cmd, opts] {
    Missing missing;
    TrainingArguments args = resolve_cli_arguments(cmd, *opts, {}, missing);
    if (handle_info_flags(*opts, args)) return;
    if (args.task.empty() || task_category(args.task) == TaskCategory::FineTuning) {
      check_task_inputs(args, missing, /*trained_model=*/true);
    } else if (args.model_name_or_path.empty()) {
      missing.add("model_name_or_path", "--model_name_or_path DIR: the trained model");
    }
    missing.throw_if_any("eval");
    setup_training_logging();
    const std::shared_ptr<Communicator> comm = cli_communicator(args);
    Trainer trainer(args, make_task(args), {}, comm);
    const Metrics metrics = trainer.evaluate();  // every rank evaluates its shard
    if (comm->is_main()) std::cout << metrics_to_json(metrics) << "\n";
  });
}

}  // namespace earlybert::cli
