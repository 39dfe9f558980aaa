// Three real run directories of the tiny fine-tuning setup (tests/fixtures/train/e2e), trained once per
// test process: a dense run, an EarlyBERT run whose ticket is drawn (by the search bound at the latest),
// and an EarlyBERT run that ends before its search can draw. About a second of training each.
#pragma once

#include <string>

#include "earlybert/base/files.h"
#include "earlybert/tasks/task.h"
#include "earlybert/train/trainer.h"
#include "train/trainer_test_util.h"

namespace earlybert::report::test {

struct RealRuns {
  std::string root;
  std::string dense, earlybert, searching;

  RealRuns() {
    root = earlybert::test::scratch_dir("report_runs");
    dense = root + "/dense";
    earlybert = root + "/earlybert";
    searching = root + "/searching";

    TrainingArguments d = earlybert::test::tiny_finetune_args(dense);
    d.ticket_mode = TicketMode::None;
    d.eval_steps = 10;
    Trainer(d, make_task(d)).train();

    TrainingArguments e = earlybert::test::tiny_finetune_args(earlybert);
    e.ticket_threshold = 0.1;
    e.max_search_steps = 10;
    e.eval_steps = 10;
    Trainer(e, make_task(e)).train();

    // Five checks are needed before a window of 4 can be judged: at step 6 the search is still on.
    TrainingArguments s = earlybert::test::tiny_finetune_args(searching);
    s.ticket_window = 4;
    s.max_steps = 6;
    Trainer(s, make_task(s)).train();
  }
  ~RealRuns() { earlybert::remove_all(root); }
};

/// The runs, trained on first use.
inline const RealRuns& real_runs() {
  static const RealRuns runs;
  return runs;
}

}  // namespace earlybert::report::test
