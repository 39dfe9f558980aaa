// text_classification: the user's own CSV / TSV / JSON Lines files as a task (run_glue.py without
// --task_name): num_labels and regression from the data, label names into the model config, the
// evaluation split from validation_file, predictions for test_file, and errors naming file:line.
#include <gtest/gtest.h>

#include "earlybert/base/files.h"
#include "earlybert/tasks/classification_task.h"
#include "earlybert/tasks/task_registry.h"
#include "earlybert/tasks/text_classification_task.h"
#include "earlybert/train/model_presets.h"
#include "earlybert/train/trainer.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

using test::e2e_fixture;
using test::expect_error;

std::string own(const std::string& name) { return test::train_fixture("own_data/" + name); }

TaskOptions own_options(const std::string& train, const std::string& dev, const std::string& test_file = "") {
  TaskOptions o;
  o.task = "text_classification";
  o.train_file = train;
  o.validation_file = dev;
  o.test_file = test_file;
  o.tokenizer_name = e2e_fixture("vocab.txt");
  o.max_seq_length = 32;
  return o;
}

TEST(TextClassificationTask, ClassificationLabelsComeFromTheTrainingFile) {
  const auto task = make_task(own_options(own("train.csv"), own("dev.jsonl"), own("test.tsv")));
  BertConfig c = load_model_config(e2e_fixture("tiny-model.yaml"));
  task->configure_model(c);
  EXPECT_EQ(c.num_labels, 2);
  EXPECT_EQ(c.id2label, (std::vector<std::string>{"negative", "positive"}));
  EXPECT_EQ(c.problem_type, ProblemType::SingleLabelClassification);
  EXPECT_EQ(task->train_size(), 64);
  const TaskSpec spec = text_classification_spec(own_options(own("train.csv"), own("dev.jsonl")));
  EXPECT_FALSE(spec.is_pair);
  EXPECT_EQ(spec.metric_names, (std::vector<std::string>{"accuracy"}));
  EXPECT_EQ(spec.load(spec, "", Split::Dev).examples.size(), 24u);
  EXPECT_EQ(spec.load(spec, "", Split::Dev).examples[0].label, "positive");
  expect_error([&] { spec.load(spec, "", Split::Test); }, {"test_file"});
}

TEST(TextClassificationTask, FloatLabelsMakeARegressionOnSentencePairs) {
  const auto task = make_task(own_options(own("reg_train.csv"), own("reg_dev.csv")));
  BertConfig c = load_model_config(e2e_fixture("tiny-model.yaml"));
  task->configure_model(c);
  EXPECT_EQ(c.num_labels, 1);
  EXPECT_EQ(c.problem_type, ProblemType::Regression);
  const TaskSpec spec = text_classification_spec(own_options(own("reg_train.csv"), own("reg_dev.csv")));
  EXPECT_TRUE(spec.is_pair);
  EXPECT_EQ(spec.metric_names, (std::vector<std::string>{"pearson", "spearmanr"}));
  const auto dev = spec.load(spec, "", Split::Dev).examples;
  ASSERT_FALSE(dev.empty());
  EXPECT_FLOAT_EQ(dev[0].label_value, 3.4f);
  EXPECT_TRUE(dev[0].text_b.has_value());
}

TEST(TextClassificationTask, BadInputNamesTheFileAndLine) {
  expect_error([] { make_task(own_options(own("train.csv"), own("bad_dev.csv"))); }, {"bad_dev.csv:3"});
  expect_error([] { make_task(own_options("", own("dev.jsonl"))); }, {"train_file"});
  expect_error([] { make_task(own_options(own("no-such.csv"), "")); }, {"no-such.csv"});
}

TEST(TextClassificationTask, TrainsEvaluatesAndPredictsThroughTheTrainer) {
  const std::string out = test::scratch_dir("own_data_run");
  TrainingArguments a = test::tiny_finetune_args(out);
  a.task = "text_classification";
  a.data_dir.clear();
  a.train_file = own("train.csv");
  a.validation_file = own("dev.jsonl");
  a.test_file = own("test.tsv");
  a.max_steps = 4;
  a.ticket_mode = TicketMode::None;
  Trainer trainer(a, make_task(task_options(a)));
  const TrainResult r = trainer.train();
  EXPECT_EQ(r.global_step, 4);
  EXPECT_TRUE(r.eval_metrics.count("accuracy"));
  EXPECT_EQ(r.eval_metrics.at("samples"), 24.0);
  const auto files = trainer.predict("test");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], out + "/predict_results.tsv");
  const auto lines = read_lines(files[0]);
  ASSERT_GE(lines.size(), 11u);
  EXPECT_EQ(lines[0], "index\tprediction");
  for (size_t i = 1; i <= 10; ++i) {
    const std::string label = lines[i].substr(lines[i].find('\t') + 1);
    EXPECT_TRUE(label == "negative" || label == "positive") << lines[i];
  }
  EXPECT_TRUE(path_exists(out + "/all_results.json"));
}

}  // namespace
}  // namespace earlybert
