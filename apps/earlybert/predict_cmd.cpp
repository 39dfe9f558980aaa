// `earlybert predict`: prediction files of a trained model for a task's test (or dev) split, in the
// task's submission format (GLUE: CoLA.tsv, MNLI-m.tsv, ...; `earlybert score` reads them back),
// written into output_dir (dev predictions into output_dir/dev/).
//
//   earlybert predict --task mrpc --data_dir glue/MRPC --model_name_or_path runs/mrpc --output_dir submission
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/train/trainer.h"
#include "train_cli.h"

namespace earlybert::cli {

void add_predict_command(CLI::App& app) {
  auto opts = std::make_shared<TrainCliOptions>();
  auto split = std::make_shared<std::string>("test");
  auto* cmd = app.add_subcommand("predict", "Write a trained model's predictions for a task's test or dev split");
  add_training_options(cmd, *opts,
                       "earlybert predict --task mrpc --data_dir glue/MRPC --model_name_or_path runs/mrpc "
                       "--output_dir submission");
  cmd->add_option("--split", *split, "test (default) or dev")->capture_default_str();
  cmd->callback([cmd, opts, split] {
    const TrainingArguments args = resolve_cli_arguments(cmd, *opts);
    if (handle_info_flags(*opts, args)) return;
    if (args.task.empty()) fail("task", "required");
    if (args.model_name_or_path.empty()) fail("model_name_or_path", "required: the trained model directory");
    if (*split != "test" && *split != "dev") fail("--split", "must be test or dev, got '" + *split + "'");
    setup_training_logging();
    Trainer trainer(args, make_task(args), {}, cli_communicator());
    for (const auto& f : trainer.predict(*split)) std::cout << "wrote " << f << "\n";
  });
}

}  // namespace earlybert::cli
