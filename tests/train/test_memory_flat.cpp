// Long runs: the process's resident memory must not grow with the number of updates (per-step records,
// caches or tensors kept alive by a history would). A run of 10·N updates, logging every update and
// evaluating now and then, is measured after N and after 10·N updates; the growth in between must be
// far below what keeping anything per update would cost, with a generous margin for the allocator.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>

#include "earlybert/train/trainer.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

/// Resident set size of this process in bytes (/proc/self/statm, second field, in pages).
int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<int64_t>(::sysconf(_SC_PAGESIZE));
}

TEST(MemoryFlat, ResidentMemoryAfterNAndTenNUpdatesIsTheSame) {
  if (!std::ifstream("/proc/self/statm")) GTEST_SKIP() << "no /proc/self/statm on this system";
  constexpr int64_t kN = 40;
  TrainingArguments args = test::tiny_finetune_args(test::scratch_dir("memory_flat"));
  args.max_steps = 10 * kN;
  args.max_search_steps = kN / 2;  // search, draw, then efficient training for the rest
  args.logging_steps = 1;
  args.eval_steps = kN;
  int64_t at_n = 0, at_10n = 0;
  TrainerHooks hooks;
  hooks.on_update = [&](const StepRecord& r) {
    if (r.step == kN) at_n = resident_bytes();
    if (r.step == 10 * kN) at_10n = resident_bytes();
  };
  Trainer trainer(args, make_task(args), hooks);
  const TrainResult result = trainer.train();
  ASSERT_EQ(result.global_step, 10 * kN);
  ASSERT_GT(at_n, 0);
  ASSERT_GT(at_10n, 0);
  const double growth_mib = static_cast<double>(at_10n - at_n) / (1024.0 * 1024.0);
  std::printf("resident memory: %.1f MiB after %lld updates, %.1f MiB after %lld (%+.2f MiB)\n",
              static_cast<double>(at_n) / (1024.0 * 1024.0), static_cast<long long>(kN),
              static_cast<double>(at_10n) / (1024.0 * 1024.0), static_cast<long long>(10 * kN), growth_mib);
  // 360 updates in between: keeping even 50 KiB per update (one activation of a batch) would add 17 MiB.
  EXPECT_LT(growth_mib, 12.0);
}

}  // namespace
}  // namespace earlybert
