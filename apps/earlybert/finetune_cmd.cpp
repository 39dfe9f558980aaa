// `earlybert finetune`: fine-tune a pre-trained BERT on a task with EarlyBERT (search → draw →
// efficient training in one run), or densely (--ticket_mode none), or with a ticket drawn elsewhere
// (--ticket ticket.json).
//
//   earlybert finetune --task mrpc --data_dir glue/MRPC --model_name_or_path bert-dir
//       --config configs/finetune/mrpc.yaml --output_dir runs/mrpc [--key value ...] [--do_predict]
//
// Tasks: cola sst2 mrpc stsb qqp mnli qnli rte wnli wordnet squad squad_v2. The model directory is a
// Hugging Face BERT directory (config.json + model.safetensors + vocab.txt) or one written by
// `earlybert pretrain` / `finetune`. Results: eval_results.json, train_results.json, metrics.jsonl,
// ticket.json, checkpoints; --do_predict also writes the test-split prediction files (SQuAD: dev).
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

void add_finetune_command(CLI::App& app) {
  auto opts = std::make_shared<TrainCliOptions>();
  auto do_predict = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("finetune", "Fine-tune BERT on a task with EarlyBERT (or densely, or with a ticket)");
  add_training_options(cmd, *opts,
                       "earlybert finetune --task mrpc --data_dir glue/MRPC --model_name_or_path BERT_DIR "
                       "--config configs/finetune/mrpc.yaml");
  cmd->add_flag("--do_predict,--do-predict", *do_predict,
                "after training, write the test split's prediction files (SQuAD: the dev set's)");
  cmd->callback([cmd, opts, do_predict] {
    const TrainingArguments args = resolve_cli_arguments(cmd, *opts);
    if (handle_info_flags(*opts, args)) return;
    if (args.task.empty()) {
      std::string names;
      for (const auto& n : training_task_names())
        if (task_category(n) == TaskCategory::FineTuning) names += (names.empty() ? "" : ", ") + n;
      fail("task", "required (" + names + ")");
    }
    if (task_category(args.task) == TaskCategory::PreTraining)
      fail("task", "'" + args.task + "' is a pre-training task (use earlybert pretrain)");
    if (args.model_name_or_path.empty() && args.config_name.empty())
      fail("model_name_or_path", "required: the pre-trained model directory");
    setup_training_logging();
    const std::shared_ptr<Communicator> comm = cli_communicator(args);
    Trainer trainer(args, make_task(args), {}, comm);
    const TrainResult r = trainer.train();
    if (r.stopped) {
      if (comm->is_main())
        std::cout << "stopped at step " << r.global_step << "; checkpoint " << r.last_checkpoint
                  << " (continue with --resume_from_checkpoint latest)\n";
      return;
    }
    if (*do_predict) {
      // SQuAD's test sets are hidden: its prediction files are for the dev set.
      const std::string split = (args.task == "squad" || args.task == "squad_v2") ? "dev" : "test";
      for (const auto& f : trainer.predict(split))  // every rank predicts its shard
        if (comm->is_main()) std::cout << "wrote " << f << "\n";
    }
    if (comm->is_main()) std::cout << metrics_to_json(r.eval_metrics) << "\n";
  });
}

}  // namespace earlybert::cli
