// Hugging Face's flags and files: key aliases (task_name), do_train/do_eval/do_predict, eval_strategy /
// save_strategy, load_best_model_at_end, greater_is_better, optim adamw_torch, upper-case task names,
// resume_from_checkpoint auto, learning_rate in log_history (old "lr" still read), all_results.json,
// and docs/CONFIG.md generated from the key table (stale file = failing test).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "earlybert/base/files.h"
#include "earlybert/train/checkpoint_dirs.h"
#include "earlybert/train/config_docs.h"
#include "earlybert/train/interval_strategy.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/run_files.h"
#include "earlybert/train/training_args.h"
#include "train_test_util.h"

namespace earlybert {
namespace {

using test::expect_error;

TrainingArguments from_flags(const std::vector<std::string>& flags) {
  TrainingArguments a;
  for (const auto& o : parse_hf_flags(flags)) apply_override(a, o);
  return a;
}

TEST(HfArguments, RunGlueCommandLineIsAccepted) {
  // A run_glue.py command line, as people paste it.
  const TrainingArguments a = from_flags({"--task_name",
                                          "MRPC",
                                          "--do_train",
                                          "--do_eval",
                                          "--do_predict",
                                          "--max_seq_length",
                                          "128",
                                          "--per_device_train_batch_size",
                                          "32",
                                          "--learning_rate",
                                          "2e-5",
                                          "--num_train_epochs",
                                          "3",
                                          "--output_dir",
                                          "/tmp/mrpc",
                                          "--optim",
                                          "adamw_torch",
                                          "--eval_strategy",
                                          "epoch",
                                          "--save_strategy",
                                          "epoch",
                                          "--load_best_model_at_end",
                                          "True",
                                          "--metric_for_best_model",
                                          "f1",
                                          "--greater_is_better",
                                          "True"});
  EXPECT_EQ(a.task, "mrpc");  // upper case and the alias task_name
  EXPECT_TRUE(a.do_train);
  EXPECT_TRUE(a.do_eval);
  EXPECT_TRUE(a.do_predict);
  EXPECT_EQ(a.optim, OptimizerKind::AdamW);
  EXPECT_EQ(a.eval_strategy, IntervalStrategy::Epoch);
  EXPECT_EQ(a.save_strategy, IntervalStrategy::Epoch);
  EXPECT_TRUE(a.load_best_model_at_end);
  EXPECT_EQ(a.greater_is_better, MetricDirection::Greater);
  EXPECT_NO_THROW(validate(a));
  // adamw_torch is an alias: the dump writes the canonical name.
  EXPECT_EQ(get_training_argument(a, "optim"), "adamw");
}

TEST(HfArguments, AliasesWorkInYamlSetAndDashSpelling) {
  TrainingArguments a;
  apply_config_text(a, "task_name: sst2\nevaluation_strategy: no\n", "cfg.yaml");
  EXPECT_EQ(a.task, "sst2");
  EXPECT_EQ(a.eval_strategy, IntervalStrategy::No);
  apply_override(a, parse_set_override("task_name=RTE"));
  EXPECT_EQ(a.task, "rte");
  const TrainingArguments b = from_flags({"--max-seq-length", "64", "--eval-strategy=STEPS"});
  EXPECT_EQ(b.max_seq_length, 64);
  EXPECT_EQ(b.eval_strategy, IntervalStrategy::Steps);
  // A key given twice under two names is still given twice.
  expect_error(
      [] {
        TrainingArguments c;
        apply_config_text(c, "task: sst2\ntask_name: rte\n", "two.yaml");
      },
      {"two.yaml:2", "task", "twice"});
  EXPECT_EQ(canonical_training_argument("task_name"), "task");
  EXPECT_EQ(canonical_training_argument("learning_rate"), "learning_rate");
  EXPECT_TRUE(is_training_argument("task_name"));
}

TEST(HfArguments, AliasesAreListedWithTheirKey) {
  bool found = false;
  for (const auto& info : training_argument_infos()) {
    if (info.name != "task") continue;
    found = true;
    EXPECT_NE(std::find(info.aliases.begin(), info.aliases.end(), "task_name"), info.aliases.end());
  }
  EXPECT_TRUE(found);
}

TEST(HfArguments, BadValuesNameTheKey) {
  expect_error([] { from_flags({"--eval_strategy", "sometimes"}); }, {"eval_strategy", "steps, epoch, no"});
  expect_error([] { from_flags({"--greater_is_better", "maybe"}); }, {"greater_is_better", "maybe"});
  expect_error([] { from_flags({"--optim", "adamw_8bit"}); }, {"optim", "adamw_torch"});
}

TEST(HfArguments, LoadBestModelNeedsMatchingEvalAndSavePoints) {
  TrainingArguments a;
  a.load_best_model_at_end = true;
  a.eval_strategy = IntervalStrategy::Epoch;
  a.save_strategy = IntervalStrategy::Steps;
  expect_error([&] { validate(a); }, {"load_best_model_at_end", "eval_strategy (epoch)", "save_strategy (steps)"});
  a.save_strategy = IntervalStrategy::Epoch;
  EXPECT_NO_THROW(validate(a));
  a.eval_strategy = a.save_strategy = IntervalStrategy::Steps;
  a.eval_steps = 0;
  expect_error([&] { validate(a); }, {"load_best_model_at_end", "eval_steps"});
  a.eval_steps = 20;
  a.save_steps = 30;
  expect_error([&] { validate(a); }, {"load_best_model_at_end", "multiple"});
  a.save_steps = 40;
  EXPECT_NO_THROW(validate(a));
}

TEST(IntervalStrategy, UpdatesBetweenEvaluationsAndSaves) {
  EXPECT_EQ(interval_updates(IntervalStrategy::Steps, 50, 114), 50);
  EXPECT_EQ(interval_updates(IntervalStrategy::Steps, 0, 114), 0);  // our default: at the end only
  EXPECT_EQ(interval_updates(IntervalStrategy::Epoch, 50, 114), 114);
  EXPECT_EQ(interval_updates(IntervalStrategy::No, 50, 114), 0);
  EXPECT_TRUE(at_interval(114, 114, 300));
  EXPECT_TRUE(at_interval(228, 114, 300));
  EXPECT_FALSE(at_interval(300, 100, 300));  // the end is handled by the end of training
  EXPECT_FALSE(at_interval(0, 10, 300));
  EXPECT_FALSE(at_interval(10, 0, 300));
  EXPECT_FALSE(at_interval(15, 10, 300));
}

TEST(IntervalStrategy, GreaterIsBetter) {
  EXPECT_TRUE(greater_is_better(MetricDirection::Auto, "accuracy"));
  EXPECT_FALSE(greater_is_better(MetricDirection::Auto, "loss"));
  EXPECT_FALSE(greater_is_better(MetricDirection::Auto, "eval_loss"));
  EXPECT_FALSE(greater_is_better(MetricDirection::Auto, "perplexity"));
  EXPECT_TRUE(greater_is_better(MetricDirection::Greater, "loss"));
  EXPECT_FALSE(greater_is_better(MetricDirection::Lower, "accuracy"));
  EXPECT_TRUE(improves(0.5, std::nullopt, true));
  EXPECT_TRUE(improves(0.6, 0.5, true));
  EXPECT_FALSE(improves(0.5, 0.5, true));
  EXPECT_TRUE(improves(0.4, 0.5, false));
  EXPECT_FALSE(improves(0.6, 0.5, false));
}

TEST(ResumeFromCheckpoint, AutoResumesWhenACheckpointExistsAndStartsFreshOtherwise) {
  const std::string out = test::scratch_dir("resume_auto");
  EXPECT_EQ(resolve_resume_checkpoint("auto", out + "/does-not-exist-yet"), "");
  EXPECT_EQ(resolve_resume_checkpoint("auto", out), "");
  finish_checkpoint(begin_checkpoint(out, 10), out, 10);
  EXPECT_EQ(resolve_resume_checkpoint("auto", out), out + "/checkpoint-10");
  begin_checkpoint(out, 20);  // an interrupted save is not resumed from
  EXPECT_EQ(resolve_resume_checkpoint("auto", out), out + "/checkpoint-10");
  // "latest" still insists on a checkpoint.
  const std::string empty = test::scratch_dir("resume_auto_empty");
  expect_error([&] { resolve_resume_checkpoint("latest", empty); }, {"resume_from_checkpoint"});
}

TEST(LogHistory, LearningRateIsSpelledAsHuggingFaceAndOldFilesStillRead) {
  MetricsRecord r;
  r.step = 4;
  r.lr = 3e-5;
  const auto j = nlohmann::json::parse(r.to_json());
  EXPECT_TRUE(j.contains("learning_rate")) << j.dump();
  EXPECT_FALSE(j.contains("lr")) << j.dump();
  EXPECT_EQ(MetricsRecord::from_json(r.to_json(), "new"), r);
  const MetricsRecord old =
      MetricsRecord::from_json(R"({"step": 4, "epoch": 0.5, "phase": "search", "lr": 3e-05})", "metrics.jsonl:1");
  ASSERT_TRUE(old.lr.has_value());
  EXPECT_DOUBLE_EQ(*old.lr, 3e-5);
  EXPECT_TRUE(old.extra.empty());
}

TEST(AllResults, MergesTrainAndEvalResultsWithSampleCounts) {
  TrainResults tr;
  tr.epoch = 2;
  tr.global_step = 40;
  tr.times.total = 12.5;
  EvalResults ev;
  ev.epoch = 2;
  ev.metrics = {{"accuracy", 0.75}, {"samples", 408}};
  ev.eval_runtime = 1.5;
  ev.times = tr.times;
  const auto all = nlohmann::json::parse(all_results_json(tr, ev, 3668));
  EXPECT_EQ(all["train_samples"], 3668);
  EXPECT_EQ(all["eval_samples"], 408);
  EXPECT_DOUBLE_EQ(all["eval_accuracy"].get<double>(), 0.75);
  EXPECT_EQ(all["global_step"], 40);
  EXPECT_DOUBLE_EQ(all["train_runtime"].get<double>(), 12.5);
  EXPECT_DOUBLE_EQ(all["epoch"].get<double>(), 2.0);
}

TEST(ConfigDocs, DocsConfigMdIsGeneratedFromTheKeyTable) {
  const std::string path =
      (std::filesystem::path(test::fixtures_dir()).parent_path().parent_path() / "docs" / "CONFIG.md").string();
  ASSERT_TRUE(path_exists(path)) << path;
  EXPECT_EQ(read_file(path), training_arguments_markdown())
      << "docs/CONFIG.md is stale: regenerate it with `./build/earlybert config --markdown > docs/CONFIG.md`";
}

TEST(ConfigDocs, EveryKeyIsInTheHelpAndTheDocsUnderItsGroup) {
  const std::string help = training_arguments_help();
  const std::string md = training_arguments_markdown();
  for (const auto& info : training_argument_infos()) {
    EXPECT_NE(help.find("--" + info.name + " "), std::string::npos) << info.name;
    EXPECT_NE(md.find("| `" + info.name + "`"), std::string::npos) << info.name;
    for (const auto& alias : info.aliases) EXPECT_NE(help.find("--" + alias), std::string::npos) << alias;
  }
  // Groups appear in table order, each once.
  EXPECT_LT(help.find("\nRun:"), help.find("\nModel:"));
  EXPECT_LT(help.find("\nModel:"), help.find("\nEarlyBERT"));
}

}  // namespace
}  // namespace earlybert
