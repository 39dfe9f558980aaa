// make_task: the task name → Task factory (see include/earlybert/train/task.h).
#include <memory>
#include <string>

#include "earlybert/base/error.h"
#include "earlybert/data/glue.h"
#include "earlybert/train/classification_task.h"
#include "earlybert/train/pretraining_task.h"
#include "earlybert/train/task.h"
#include "earlybert/train/task_tokenizer.h"
#include "earlybert/train/training_args.h"

#if __has_include("earlybert/train/squad_task.h")
#include "earlybert/train/squad_task.h"
#define EARLYBERT_HAVE_SQUAD_TASK 1
#endif

namespace earlybert {

std::unique_ptr<Task> make_task(const TrainingArguments& args) {
  const std::string& t = args.task;
  if (t.empty())
    fail("task", "no task given (cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli, wordnet, squad, squad_v2, "
                 "mlm, pretraining)");
  if (t == "mlm" || t == "pretraining") {
    // The tokenizer is optional for a pre-training task only in the sense that the shards are
    // already tokenized; the trainer still needs it to write vocab.txt next to the model, so it
    // is required here as well.
    std::shared_ptr<const Tokenizer> tok = load_run_tokenizer(args);
    return std::make_unique<PretrainingTask>(args, std::move(tok));
  }
  if (t == "squad" || t == "squad_v2") {
#ifdef EARLYBERT_HAVE_SQUAD_TASK
    return make_squad_task(args);
#else
    fail("task", "'" + t + "' is not available in this build");
#endif
  }
  const TaskSpec* spec = lookup_task(t);
  if (spec == nullptr || spec->name == "mnli-mm")
    fail("task", "unknown task '" + t + "' (cola, sst2, mrpc, stsb, qqp, mnli, qnli, rte, wnli, wordnet, squad, "
                 "squad_v2, mlm, pretraining)");
  std::shared_ptr<const Tokenizer> tok = load_run_tokenizer(args);
  return std::make_unique<ClassificationTask>(args, std::move(tok));
}

}  // namespace earlybert
