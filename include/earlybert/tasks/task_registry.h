// The task registry: every name the `task` key (YAML, --task) accepts, and how to build the task.
//
// One registry, three sources, in this order of lookup:
//   1. factories added with add_task_factory() — a whole new Task (its own model head, data, metrics);
//   2. the built-in tasks: text_classification (the user's own files, tasks/text_classification_task.h),
//      squad, squad_v2 (SquadTask), mlm, pretraining (PretrainingTask);
//   3. every trainable text-classification spec of the data registry (data/glue.h): the GLUE tasks,
//      wordnet, and any spec added with register_task(TaskSpec) — such a spec becomes a training task
//      (ClassificationTask) with no further code.
// Task names are Hugging Face's run_glue.py / run_qa.py names (cola, sst2, mrpc, stsb, qqp, mnli, qnli,
// rte, wnli, squad, squad_v2), matched case-insensitively; a classification spec is listed under its
// canonical name without dashes (sts-b → stsb) and accepts its aliases.
// training_task_names() is the allowed value list of the `task` key (--help, docs/CONFIG.md, errors).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "earlybert/tasks/task.h"
#include "earlybert/tasks/task_options.h"

namespace earlybert {

/// Fine-tuning tasks start from a pre-trained model; pre-training tasks (earlybert pretrain) from a
/// new or pre-trained one, over prepared shards.
enum class TaskCategory { FineTuning, PreTraining };

using TaskFactory = std::function<std::unique_ptr<Task>(const TaskOptions&)>;

/// Adds a task under `name` (lower case). Error when the name is taken by any source above.
void add_task_factory(const std::string& name, TaskCategory category, TaskFactory factory);

/// Every task name the registry accepts: added factories first, then the classification specs
/// (sorted), then text_classification, squad, squad_v2, mlm, pretraining.
std::vector<std::string> training_task_names();

/// True when `name` names a task (any source, case-insensitive, aliases included).
bool is_training_task(const std::string& name);

/// The category of task `name`; Error naming 'task' when unknown.
TaskCategory task_category(const std::string& name);

/// The canonical registry name of `name` (case and aliases resolved: "STS-B" → "stsb"); Error naming
/// 'task' (and listing the tasks) when unknown.
std::string canonical_task_name(const std::string& name);

/// Builds options.task from `options`. Error naming 'task' and listing the known tasks when unknown,
/// or naming the key at fault when the task cannot be built (missing data_dir, tokenizer, ...).
std::unique_ptr<Task> make_task(const TaskOptions& options);

}  // namespace earlybert
