// The stage budgets and learning rates of a run (train/run_budget.h), as pure functions: the
// efficient stage's own budget and warm-up from zero under `restart`, the re-warm-up under `continue`,
// and the efficient_* keys' defaults.
#include <gtest/gtest.h>

#include "earlybert/train/run_budget.h"
#include "earlybert/train/training_args.h"

namespace earlybert {
namespace {

RunBudget official_like(EfficientSchedule mode) {
  RunBudget b;
  b.efficient_schedule = mode;
  b.main_updates = 300;  // e.g. 3 epochs of 100 updates
  b.main.type = LrScheduleType::Linear;
  b.main.learning_rate = 2e-5;
  b.main.warmup_steps = 10;
  b.search_learning_rate = 2e-5;
  b.efficient_updates = 200;  // 2 epochs
  b.efficient = b.main;
  b.efficient.learning_rate = 4e-5;
  b.efficient.warmup_steps = 20;
  return b;
}

TEST(RunBudget, RestartEndsAfterTheEfficientStagesOwnBudget) {
  const RunBudget b = official_like(EfficientSchedule::Restart);
  EXPECT_EQ(final_update(b, -1), 300);  // not drawn: the search may use the main budget
  EXPECT_EQ(final_update(b, 20), 220);  // drawn at 20: 200 more updates
  EXPECT_EQ(final_update(b, 0), 200);   // a random / given ticket: exactly the efficient stage
}

TEST(RunBudget, RestartWarmsUpFromZeroAtTheDrawOnAFreshSchedule) {
  const RunBudget b = official_like(EfficientSchedule::Restart);
  const int64_t d = 20;
  // The search follows the main schedule at the search rate: past its warm-up, decaying over 300.
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Search, 19, -1), 2e-5 * (300.0 - 19) / (300 - 10));
  // The first efficient update starts the warm-up again from zero (LambdaLR: update k uses lr(k-1)).
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Efficient, d, d), 0.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Efficient, d + 10, d), 4e-5 * 10 / 20);
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Efficient, d + 20, d), 4e-5);
  // ... and decays to zero over its own 200 updates, not over the main run's 300.
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Efficient, d + 110, d), 4e-5 * (200.0 - 110) / (200 - 20));
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Efficient, d + 200, d), 0.0);
  // The same stage whatever the draw step: a random ticket (d = 0) sees the same rates.
  for (int64_t k = 0; k < 200; k += 7)
    EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Efficient, k, 0), learning_rate_at(b, Phase::Efficient, d + k, d));
  EXPECT_EQ(active_schedule(b, Phase::Efficient).total_steps, 200);
  EXPECT_EQ(active_schedule(b, Phase::Search).total_steps, 300);
}

TEST(RunBudget, ContinueKeepsOneScheduleWithAReWarmUp) {
  const RunBudget b = official_like(EfficientSchedule::Continue);
  const int64_t d = 100;
  EXPECT_EQ(final_update(b, d), 300);
  // Re-warm-up: 20 updates (efficient warmup_steps), ramping the main schedule at the efficient peak.
  EXPECT_EQ(rewarmup_updates(b, d), 20);
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Efficient, d, d), 0.0);
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Efficient, d + 5, d), 4e-5 * (300.0 - d - 5) / 290 * 5 / 20);
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Efficient, d + 20, d), 4e-5 * (300.0 - d - 20) / 290);
  // A ticket from the start has the main warm-up already: no second ramp.
  EXPECT_EQ(rewarmup_updates(b, 0), 0);
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Efficient, 50, 0), 4e-5 * (300.0 - 50) / 290);
  // The ratio form counts the updates left after the draw.
  RunBudget r = b;
  r.efficient.warmup_steps = 0;
  r.efficient.warmup_ratio = 0.1;
  EXPECT_EQ(rewarmup_updates(r, 100), 20);  // ceil(0.1 * 200)
  r.efficient.warmup_ratio = 0;
  EXPECT_EQ(rewarmup_updates(r, 100), 0);
  EXPECT_DOUBLE_EQ(learning_rate_at(r, Phase::Efficient, 100, 100), 4e-5 * 200 / 290);
}

TEST(RunBudget, DenseFollowsTheMainSchedule) {
  const RunBudget b = official_like(EfficientSchedule::Restart);
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Dense, 5, -1), 2e-5 * 5 / 10);
  EXPECT_DOUBLE_EQ(learning_rate_at(b, Phase::Dense, 150, -1), 2e-5 * 150 / 290);
}

TEST(RunBudget, KeysResolveToTheMainRunWhenUnset) {
  TrainingArguments a;
  a.num_train_epochs = 3;
  a.learning_rate = 2e-5;
  a.warmup_ratio = 0.1;
  RunBudget b = run_budget(a, 100);
  EXPECT_EQ(b.efficient_schedule, EfficientSchedule::Restart);
  EXPECT_EQ(b.main_updates, 300);
  EXPECT_EQ(b.efficient_updates, 300);
  EXPECT_DOUBLE_EQ(b.efficient.learning_rate, 2e-5);
  EXPECT_DOUBLE_EQ(b.efficient.warmup_ratio, 0.1);

  set_training_argument(a, "efficient_num_train_epochs", "2", "test");
  set_training_argument(a, "efficient_learning_rate", "4e-5", "test");
  set_training_argument(a, "efficient_warmup_ratio", "0", "test");
  b = run_budget(a, 100);
  EXPECT_EQ(b.efficient_updates, 200);
  EXPECT_DOUBLE_EQ(b.efficient.learning_rate, 4e-5);
  EXPECT_DOUBLE_EQ(b.efficient.warmup_ratio, 0.0);
  set_training_argument(a, "efficient_max_steps", "50", "test");
  EXPECT_EQ(run_budget(a, 100).efficient_updates, 50);  // steps win over epochs, as max_steps does
  set_training_argument(a, "efficient_schedule", "continue", "test");
  EXPECT_EQ(run_budget(a, 100).efficient_schedule, EfficientSchedule::Continue);
  EXPECT_THROW(set_training_argument(a, "efficient_schedule", "later", "test"), Error);
  EXPECT_THROW(set_training_argument(a, "efficient_warmup_ratio", "1.5", "test"), Error);
}

}  // namespace
}  // namespace earlybert
