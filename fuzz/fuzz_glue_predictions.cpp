// Fuzz target: GLUE prediction files, what `earlybert score` reads (data/glue_submission.h) —
// read_glue_predictions() and, when they parse, score_glue_predictions() against the task's dev split
// from tests/fixtures/data/glue. The first input byte picks the task; the rest is the file.
#include <array>
#include <map>

#include "earlybert/data/glue_submission.h"
#include "fuzz_input.h"

namespace {

using namespace earlybert;

constexpr std::array<const char*, 10> kTasks = {"cola", "sst-2",   "mrpc", "sts-b", "qqp",
                                                "mnli", "mnli-mm", "qnli", "rte",   "wnli"};

const TaskExamples& gold(const TaskSpec& task) {
  static std::map<std::string, TaskExamples> cache;
  auto it = cache.find(task.name);
  if (it == cache.end())
    it = cache.emplace(task.name, load_task_examples(task, fuzz::fixture("data/glue"), Split::Dev)).first;
  return it->second;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const TaskSpec& task = find_task(kTasks[data[0] % kTasks.size()]);
  static fuzz::InputFile file("predictions.tsv");
  const std::string& path = file.write(data + 1, size - 1);
  std::vector<GluePrediction> predictions;
  if (!fuzz::parse_or_reject([&] { predictions = read_glue_predictions(task, path); })) return 0;
  fuzz::parse_or_reject([&] { score_glue_predictions(task, gold(task), predictions, path); });
  return 0;
}
