// make_task: the task name → Task factory (see include/earlybert/train/task.h).
#include <memory>
#include <string>

#include "earlybert/base/error.h"
#include "earlybert/data/glue.h"
#include "earlybert/train/classification_task.h"
#include "earlybert/train/pretraining_task.h"
#include "earlybert/train/squad_task.h"
#include "earlybert/train/task.h"
#include "earlybert/train/task_tokenizer.h"
#include "earlybert/train/training_args.h"

namespace earlybert {

std::unique_ptr<Task> make_task(const TrainingArguments& args) {
  const std::string& t = args.task;
  if (t.empty())
    fail("task",
         "no task given (cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli, wordnet, squad, squad_v2, "
         "mlm, pretraining)");
  if (t == "mlm" || t == "pretraining") {
    // The shards are already tokenized, but the tokenizer is still required: its vocabulary is
    // checked against the shards' and copied next to the model (vocab.txt) for fine-tuning.
    std::shared_ptr<const Tokenizer> tok = load_run_tokenizer(args);
    return std::make_unique<PretrainingTask>(args, std::move(tok));
  }
  if (t == "squad" || t == "squad_v2") return make_squad_task(args);
  const TaskSpec* spec = lookup_task(t);
  if (spec == nullptr || spec->name == "mnli-mm")
    fail("task", "unknown task '" + t +
                     "' (cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli, wordnet, squad, "
                     "squad_v2, mlm, pretraining)");
  std::shared_ptr<const Tokenizer> tok = load_run_tokenizer(args);
  return std::make_unique<ClassificationTask>(args, std::move(tok));
}

}  // namespace earlybert
