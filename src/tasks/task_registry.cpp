// The task registry — see include/earlybert/tasks/task_registry.h.
#include "earlybert/tasks/task_registry.h"

#include <algorithm>
#include <cctype>
#include <mutex>

#include "earlybert/base/error.h"
#include "earlybert/data/glue.h"
#include "earlybert/tasks/classification_task.h"
#include "earlybert/tasks/pretraining_task.h"
#include "earlybert/tasks/squad_task.h"
#include "earlybert/tasks/task_tokenizer.h"
#include "earlybert/tasks/text_classification_task.h"

namespace earlybert {
namespace {

struct FactoryEntry {
  std::string name;
  TaskCategory category;
  TaskFactory factory;
};

std::unique_ptr<Task> make_pretraining_task(const TaskOptions& options) {
  // The shards are already tokenized, but the tokenizer is still required: its vocabulary is checked
  // against the shards' and copied next to the model (vocab.txt) for fine-tuning.
  return std::make_unique<PretrainingTask>(options, load_run_tokenizer(options));
}

/// The built-in tasks that are not text classification.
const std::vector<FactoryEntry>& builtin_tasks() {
  static const std::vector<FactoryEntry> builtins = {
      {kTextClassificationTask, TaskCategory::FineTuning,
       [](const TaskOptions& o) -> std::unique_ptr<Task> {
         return std::make_unique<ClassificationTask>(o, load_run_tokenizer(o));
       }},
      {"squad", TaskCategory::FineTuning, make_squad_task},
      {"squad_v2", TaskCategory::FineTuning, make_squad_task},
      {"mlm", TaskCategory::PreTraining, make_pretraining_task},
      {"pretraining", TaskCategory::PreTraining, make_pretraining_task},
  };
  return builtins;
}

struct Registry {
  std::mutex mutex;
  std::vector<FactoryEntry> added;
};

Registry& registry() {
  static Registry r;
  return r;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// The registry name of a classification spec: its canonical name without dashes (sts-b → stsb).
std::string spec_task_name(const TaskSpec& spec) {
  std::string n = spec.name;
  n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
  return n;
}

/// The trainable classification spec `name` stands for (name, dash-less name or alias), or nullptr.
const TaskSpec* classification_spec(const std::string& name) {
  const TaskSpec* spec = lookup_task(name);
  if (spec == nullptr) {
    for (const std::string& n : task_names()) {
      const TaskSpec* s = lookup_task(n);
      if (s != nullptr && spec_task_name(*s) == lower(name)) spec = s;
    }
  }
  return spec != nullptr && spec->trainable ? spec : nullptr;
}

const FactoryEntry* find_factory(const std::string& name) {
  const std::string key = lower(name);
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    for (const auto& e : r.added)
      if (e.name == key) return &e;  // entries are never removed, so the pointer stays valid
  }
  for (const auto& e : builtin_tasks())
    if (e.name == key) return &e;
  return nullptr;
}

std::string known_tasks_text() {
  std::string out;
  for (const auto& n : training_task_names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

[[noreturn]] void unknown_task(const std::string& name) {
  if (name.empty()) fail("task", "no task given (" + known_tasks_text() + ")");
  fail("task", "unknown task '" + name + "' (" + known_tasks_text() + ")");
}

}  // namespace

void add_task_factory(const std::string& name, TaskCategory category, TaskFactory factory) {
  if (name.empty() || name != lower(name)) fail("task", "task names are lower-case and not empty: '" + name + "'");
  if (!factory) fail("task", "no factory for task '" + name + "'");
  if (is_training_task(name)) fail("task", "a task named '" + name + "' exists already");
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  r.added.push_back({name, category, std::move(factory)});
}

std::vector<std::string> training_task_names() {
  std::vector<std::string> names;
  {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mutex);
    for (const auto& e : r.added) names.push_back(e.name);
  }
  std::vector<std::string> specs;
  for (const std::string& n : task_names()) {
    const TaskSpec* s = lookup_task(n);
    if (s != nullptr && s->trainable) specs.push_back(spec_task_name(*s));
  }
  std::sort(specs.begin(), specs.end());
  names.insert(names.end(), specs.begin(), specs.end());
  for (const auto& e : builtin_tasks()) names.push_back(e.name);
  return names;
}

bool is_training_task(const std::string& name) {
  return !name.empty() && (find_factory(name) != nullptr || classification_spec(name) != nullptr);
}

TaskCategory task_category(const std::string& name) {
  if (const FactoryEntry* e = find_factory(name)) return e->category;
  if (classification_spec(name) != nullptr) return TaskCategory::FineTuning;
  unknown_task(name);
}

std::string canonical_task_name(const std::string& name) {
  if (const FactoryEntry* e = find_factory(name)) return e->name;
  if (const TaskSpec* spec = classification_spec(name)) return spec_task_name(*spec);
  unknown_task(name);
}

std::unique_ptr<Task> make_task(const TaskOptions& options) {
  TaskOptions o = options;
  o.task = canonical_task_name(options.task);
  if (const FactoryEntry* e = find_factory(o.task)) return e->factory(o);
  return std::make_unique<ClassificationTask>(o, load_run_tokenizer(o));
}

}  // namespace earlybert
