// `earlybert pretrain`: BERT pre-training (MLM, or MLM + NSP) with EarlyBERT's search → draw →
// efficient training, configured by YAML files and overrides.
//
//   earlybert prepare-pretraining --wordnet --vocab vocab.txt --output data/wordnet-128
//   earlybert pretrain --config configs/pretrain/wordnet-bert-small.yaml
//       --set data_dir=data/wordnet-128 --set tokenizer_name=vocab.txt --set output_dir=runs/pretrain
//
// The task defaults to `pretraining` (MLM + NSP when the shards have sentence pairs); `mlm` is MLM
// only. A SIGTERM or Ctrl-C saves a checkpoint and exits with status 143 (130 for Ctrl-C); the same
// command with `--resume_from_checkpoint auto` continues (and starts fresh when there is no checkpoint). The output
// directory is a model directory (config.json, model.safetensors, vocab.txt) that `earlybert finetune
// --model_name_or_path` takes.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "commands.h"
#include "earlybert/base/error.h"
#include "earlybert/tasks/task_registry.h"
#include "earlybert/train/trainer.h"
#include "train_cli.h"

namespace earlybert::cli {

void add_pretrain_command(CLI::App& app) {
  auto opts = std::make_shared<TrainCliOptions>();
  auto* cmd =
      app.add_subcommand("pretrain", "Pre-train BERT (MLM/NSP) with EarlyBERT: search, draw, efficient training");
  add_training_options(cmd, *opts,
                       "earlybert pretrain --config configs/pretrain/wordnet-bert-small.yaml --set data_dir=DATA "
                       "--set tokenizer_name=vocab.txt");
  cmd->callback([cmd, opts] {
    Missing missing;
    const TrainingArguments args =
        resolve_cli_arguments(cmd, *opts, {{"task", "pretraining", "pretrain default"}}, missing);
    if (handle_info_flags(*opts, args)) return;
    if (task_category(args.task) != TaskCategory::PreTraining)
      fail("task",
           "pretrain runs a pre-training task (pretraining, mlm), not '" + args.task + "' (use earlybert finetune)");
    missing.throw_if_any("pretrain");
    setup_training_logging();
    const std::shared_ptr<Communicator> comm = cli_communicator(args);
    Trainer trainer(args, make_task(args), {}, comm);
    const TrainResult r = trainer.train();
    if (!comm->is_main()) return;  // rank 0 speaks for the run
    if (r.stopped) {
      std::cout << "stopped at step " << r.global_step << "; checkpoint " << r.last_checkpoint
                << " (continue with --resume_from_checkpoint auto)\n";
      if (r.stop_signal > 0) throw ExitStatus{128 + r.stop_signal};
      return;
    }
    std::cout << "pre-training finished at step " << r.global_step << "; model in " << args.output_dir << "\n";
  });
}

}  // namespace earlybert::cli
