// Fuzz target: GLUE TSV files (data/glue.h, data/tsv.h) — read_task_tsv() with each GLUE task's
// layout. The first input byte picks the task and the split (the layouts differ per task and between
// labelled and test files); the rest is the file. Every accepted example must carry a label exactly
// when the split is labelled, and a label the task knows.
#include <array>

#include "earlybert/data/glue.h"
#include "fuzz_input.h"

namespace {

constexpr std::array<const char*, 10> kTasks = {"cola", "sst-2",   "mrpc", "sts-b", "qqp",
                                                "mnli", "mnli-mm", "qnli", "rte",   "wnli"};
constexpr std::array<earlybert::Split, 3> kSplits = {earlybert::Split::Train, earlybert::Split::Dev,
                                                     earlybert::Split::Test};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace earlybert;
  if (size == 0) return 0;
  const TaskSpec& task = find_task(kTasks[data[0] % kTasks.size()]);
  const Split split = kSplits[(data[0] / kTasks.size()) % kSplits.size()];
  static fuzz::InputFile file("task.tsv");
  const std::string& path = file.write(data + 1, size - 1);
  TaskExamples read;
  if (!fuzz::parse_or_reject([&] { read = read_task_tsv(task, path, split); })) return 0;
  for (const TextExample& e : read.examples) {
    FUZZ_REQUIRE(e.has_label() == (split != Split::Test), "label presence does not match the split");
    if (e.has_label() && !task.is_regression) {
      FUZZ_REQUIRE(e.label_id >= 0 && static_cast<size_t>(e.label_id) < task.label_names.size(),
                   "label id out of range");
      FUZZ_REQUIRE(task.label_names[static_cast<size_t>(e.label_id)] == *e.label, "label id names another label");
    }
  }
  return 0;
}
