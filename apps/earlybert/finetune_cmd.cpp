// `earlybert finetune`: fine-tune a pre-trained BERT on a task with EarlyBERT (search → draw →
// efficient training in one run), or densely (--ticket_mode none), or with a ticket drawn elsewhere
// (--ticket ticket.json).
//
//   earlybert finetune --task mrpc --data_dir glue/MRPC --model_name_or_path bert-dir --output_dir runs/mrpc
//   earlybert finetune --train_file train.csv --validation_file dev.csv --model_name_or_path bert-dir ...
//
// Without --config, the task's preset configs/finetune/<task>.yaml applies first (logged; config_dir.h
// says where it is looked for). Everything still missing — task, data (data_dir, or $GLUE_DIR for a GLUE
// task), model, output_dir — is reported in one error. Tasks: cola sst2 mrpc stsb qqp mnli qnli rte wnli
// wordnet squad squad_v2, and text_classification (your own files, implied by --train_file). As
// run_glue.py: do_train (default true) trains and evaluates at the end, do_eval alone evaluates
// model_name_or_path, do_predict writes the test split's prediction files (SQuAD: dev). Results:
// eval_results.json, train_results.json, all_results.json, metrics.jsonl, ticket.json, checkpoints.
// A SIGTERM saves a checkpoint and exits with status 143 (commands.h).
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
  opts->task_preset = true;
  auto* cmd = app.add_subcommand("finetune", "Fine-tune BERT on a task with EarlyBERT (or densely, or with a ticket)");
  add_training_options(cmd, *opts,
                       "earlybert finetune --task mrpc --data_dir glue/MRPC --model_name_or_path BERT_DIR "
                       "--output_dir runs/mrpc");
  cmd->callback([cmd, opts] {
    Missing missing;
    TrainingArguments args = resolve_cli_arguments(cmd, *opts, {}, missing);
    if (handle_info_flags(*opts, args)) return;
    check_task_inputs(args, missing, /*trained_model=*/!args.do_train);
    missing.throw_if_any("finetune");
    if (!args.do_train && !args.do_eval && !args.do_predict)
      fail("do_train", "do_train, do_eval and do_predict are all false: nothing to do");
    setup_training_logging();
    const std::shared_ptr<Communicator> comm = cli_communicator(args);
    Trainer trainer(args, make_task(args), {}, comm);
    if (args.do_train) {
      const TrainResult r = trainer.train();
      if (r.stopped) {
        if (comm->is_main())
          std::cout << "stopped at step " << r.global_step << "; checkpoint " << r.last_checkpoint
                    << " (continue with --resume_from_checkpoint auto)\n";
        if (r.stop_signal > 0) throw ExitStatus{128 + r.stop_signal};
        return;
      }
      if (args.do_predict) {
        // SQuAD's test sets are hidden: its prediction files are for the dev set.
        const std::string split = (args.task == "squad" || args.task == "squad_v2") ? "dev" : "test";
        for (const auto& f : trainer.predict(split))  // every rank predicts its shard
          if (comm->is_main()) std::cout << "wrote " << f << "\n";
      }
      if (comm->is_main()) std::cout << metrics_to_json(r.eval_metrics) << "\n";
      return;
    }
    if (args.do_eval) {
      const Metrics m = trainer.evaluate();  // every rank evaluates its shard
      if (comm->is_main()) std::cout << metrics_to_json(m) << "\n";
    }
    if (args.do_predict) {
      const std::string split = (args.task == "squad" || args.task == "squad_v2") ? "dev" : "test";
      for (const auto& f : trainer.predict(split))  // every rank predicts its shard
        if (comm->is_main()) std::cout << "wrote " << f << "\n";
    }
  });
}

}  // namespace earlybert::cli
