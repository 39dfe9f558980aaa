// ClassificationTask: tokenization, dynamic padding, labels, metrics, MNLI matched + mismatched,
// prediction files and errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/base/files.h"
#include "earlybert/data/glue_submission.h"
#include "earlybert/tasks/classification_task.h"
#include "earlybert/tasks/task_tokenizer.h"
#include "earlybert/train/model_presets.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

using test::e2e_fixture;
using test::expect_error;

TrainingArguments sst2_args() { return test::tiny_finetune_args(test::scratch_dir("cls_out")); }

AnyBertModel tiny_model(const Task& task) {
  BertConfig c = load_model_config(e2e_fixture("tiny-model.yaml"));
  task.configure_model(c);
  torch::manual_seed(0);
  return AnyBertModel::create(task.model_kind(), c);
}

TEST(ClassificationTask, CollatePadsToTheLongestInTheBatch) {
  std::vector<ClassificationFeature> f(3);
  f[0].input_ids = {2, 7, 3};
  f[0].token_type_ids = {0, 0, 0};
  f[1].input_ids = {2, 7, 8, 9, 3};
  f[1].token_type_ids = {0, 0, 0, 1, 1};
  f[2].input_ids = {2, 3};
  f[2].token_type_ids = {0, 0};
  for (int i = 0; i < 3; ++i) {
    f[static_cast<size_t>(i)].has_label = true;
    f[static_cast<size_t>(i)].label_id = i % 2;
    f[static_cast<size_t>(i)].label_value = 0.5f * static_cast<float>(i);
  }
  const Batch b = collate_classification(f, {2, 0}, 0, false);
  EXPECT_EQ(b.input_ids.sizes(), (std::vector<int64_t>{2, 3}));  // longest of the two, not of all
  EXPECT_TRUE(torch::equal(b.input_ids, torch::tensor({2, 3, 0, 2, 7, 3}, torch::kLong).view({2, 3})));
  EXPECT_TRUE(torch::equal(b.attention_mask, torch::tensor({1, 1, 0, 1, 1, 1}, torch::kLong).view({2, 3})));
  EXPECT_TRUE(torch::equal(b.labels, torch::tensor({0, 0}, torch::kLong)));
  const Batch all = collate_classification(f, {0, 1, 2}, 0, true);
  EXPECT_EQ(all.seq_len(), 5);
  EXPECT_EQ(all.labels.scalar_type(), torch::kFloat);  // regression targets
  EXPECT_TRUE(torch::equal(all.token_type_ids[1], torch::tensor({0, 0, 0, 1, 1}, torch::kLong)));
  f[1].has_label = false;
  EXPECT_FALSE(collate_classification(f, {0, 1}, 0, false).labels.defined());
  expect_error([&] { collate_classification(f, {5}, 0, false); }, {"out of range"});
}

TEST(ClassificationTask, TokenizesOnceAndConfiguresTheModel) {
  const TrainingArguments args = sst2_args();
  ClassificationTask task(task_options(args), load_run_tokenizer(task_options(args)));
  EXPECT_EQ(task.name(), "sst2");
  EXPECT_EQ(task.train_size(), 64);
  const auto& f = task.train_features();
  EXPECT_EQ(f[0].input_ids.front(), 2);  // [CLS]
  EXPECT_EQ(f[0].input_ids.back(), 3);   // [SEP]
  EXPECT_TRUE(f[0].has_label);
  BertConfig c = load_model_config(e2e_fixture("tiny-model.yaml"));
  c.vocab_size = 999;
  task.configure_model(c);
  EXPECT_EQ(c.vocab_size, 64);  // a new model gets the tokenizer's vocabulary
  EXPECT_EQ(c.num_labels, 2);
  EXPECT_EQ(c.problem_type, ProblemType::SingleLabelClassification);
  TrainingArguments pretrained = args;
  pretrained.model_name_or_path = "some/dir";
  ClassificationTask task2(task_options(pretrained), load_run_tokenizer(task_options(args)));
  BertConfig small = c;
  small.vocab_size = 10;
  expect_error([&] { task2.configure_model(small); }, {"model_name_or_path", "vocab_size"});
  TrainingArguments long_seq = args;
  long_seq.max_seq_length = 100;
  ClassificationTask task3(task_options(long_seq), load_run_tokenizer(task_options(args)));
  BertConfig c3 = load_model_config(e2e_fixture("tiny-model.yaml"));
  expect_error([&] { task3.configure_model(c3); }, {"max_seq_length", "max_position_embeddings"});
}

TEST(ClassificationTask, EvaluateReturnsTheTasksMetricsAndLoss) {
  TrainingArguments args = sst2_args();
  ClassificationTask task(task_options(args), load_run_tokenizer(task_options(args)));
  AnyBertModel model = tiny_model(task);
  const Metrics m = task.evaluate(model, EvalContext{5});  // 24 examples: a last batch of 4
  EXPECT_TRUE(m.count("accuracy"));
  EXPECT_TRUE(m.count("loss"));
  EXPECT_GE(m.at("accuracy"), 0.0);
  EXPECT_LE(m.at("accuracy"), 1.0);
  EXPECT_TRUE(model.module()->is_training());  // evaluation restores the mode
  const Metrics one_batch =
      task.evaluate(model, EvalContext{24});  // batching (and so padding) must not change the metrics
  EXPECT_EQ(one_batch.at("accuracy"), m.at("accuracy"));
  EXPECT_NEAR(one_batch.at("loss"), m.at("loss"), 1e-5);
  args.max_eval_samples = 10;
  ClassificationTask cut(task_options(args), load_run_tokenizer(task_options(args)));
  EXPECT_TRUE(cut.evaluate(model, EvalContext{8}).count("accuracy"));
}

TEST(ClassificationTask, MnliEvaluatesMatchedAndMismatched) {
  TrainingArguments args = sst2_args();
  args.task = "mnli";
  ClassificationTask task(task_options(args), load_run_tokenizer(task_options(args)));
  EXPECT_EQ(task.train_size(), 24);
  AnyBertModel model = tiny_model(task);
  EXPECT_EQ(model.config().num_labels, 3);
  const Metrics m = task.evaluate(model, EvalContext{4});
  for (const char* k : {"accuracy", "loss", "accuracy_mm", "loss_mm"}) EXPECT_TRUE(m.count(k)) << k;
  const std::string out = test::scratch_dir("cls_mnli_pred");
  const auto files = task.predict(model, "test", EvalContext{4}, out);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], out + "/MNLI-m.tsv");
  EXPECT_EQ(files[1], out + "/MNLI-mm.tsv");
  EXPECT_EQ(read_glue_predictions(task.spec(), files[0]).size(), 5u);
  EXPECT_EQ(read_glue_predictions(*lookup_task("mnli-mm"), files[1]).size(), 4u);
}

TEST(ClassificationTask, StsbIsARegression) {
  TrainingArguments args = sst2_args();
  args.task = "stsb";
  ClassificationTask task(task_options(args), load_run_tokenizer(task_options(args)));
  AnyBertModel model = tiny_model(task);
  EXPECT_EQ(model.config().num_labels, 1);
  EXPECT_EQ(model.config().problem_type, ProblemType::Regression);
  const Batch b = task.train_batch({0, 1, 2}, 0);
  EXPECT_EQ(b.labels.scalar_type(), torch::kFloat);
  EXPECT_NEAR(b.labels[0].item<float>(), task.train_features()[0].label_value, 0.0f);
  EXPECT_TRUE(model.loss(b).defined());
  const Metrics m = task.evaluate(model, EvalContext{4});
  for (const char* k : {"pearson", "spearmanr", "combined_score", "loss"}) EXPECT_TRUE(m.count(k)) << k;
  const std::string out = test::scratch_dir("cls_stsb");
  const auto files = task.predict(model, "test", EvalContext{4}, out);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], out + "/STS-B.tsv");
  EXPECT_EQ(read_glue_predictions(task.spec(), files[0]).size(), 6u);
}

TEST(ClassificationTask, PredictWritesScorableSubmissionFiles) {
  TrainingArguments args = sst2_args();
  ClassificationTask task(task_options(args), load_run_tokenizer(task_options(args)));
  AnyBertModel model = tiny_model(task);
  const std::string out = test::scratch_dir("cls_pred");
  const auto test_files = task.predict(model, "test", EvalContext{8}, out);
  ASSERT_EQ(test_files.size(), 1u);
  EXPECT_EQ(test_files[0], out + "/SST-2.tsv");
  EXPECT_EQ(read_glue_predictions(task.spec(), test_files[0]).size(), 16u);
  // dev predictions score to exactly what evaluate() reports
  const auto dev_files = task.predict(model, "dev", EvalContext{8}, out);
  ASSERT_EQ(dev_files.size(), 1u);
  EXPECT_EQ(dev_files[0], out + "/dev/SST-2.tsv");
  const auto gold = load_task_examples(task.spec(), args.data_dir, Split::Dev);
  const auto scored =
      score_glue_predictions(task.spec(), gold, read_glue_predictions(task.spec(), dev_files[0]), "dev");
  EXPECT_DOUBLE_EQ(scored.at("accuracy"), task.evaluate(model, EvalContext{8}).at("accuracy"));
  expect_error([&] { task.predict(model, "train", EvalContext{8}, out); }, {"split"});
}

TEST(ClassificationTask, ErrorsNameTheKey) {
  TrainingArguments args = sst2_args();
  auto tok = std::shared_ptr<const Tokenizer>(load_run_tokenizer(task_options(args)));
  args.data_dir.clear();
  expect_error([&] { ClassificationTask t(task_options(args), tok); }, {"data_dir"});
  args.task = "mlm";
  expect_error([&] { ClassificationTask t(task_options(args), tok); }, {"task", "mlm"});
  TrainingArguments missing = sst2_args();
  missing.data_dir = test::scratch_dir("cls_empty");
  ClassificationTask t(task_options(missing), tok);
  expect_error([&] { t.train_size(); }, {"train.tsv"});
  TrainingArguments no_tok = sst2_args();
  no_tok.tokenizer_name = "/nonexistent/vocab.txt";
  expect_error([&] { make_task(no_tok); }, {"tokenizer_name"});
  no_tok.tokenizer_name.clear();
  expect_error([&] { make_task(no_tok); }, {"tokenizer_name"});
  TrainingArguments unknown = sst2_args();
  unknown.task = "nope";
  expect_error([&] { make_task(unknown); }, {"task", "nope"});
}

TEST(ClassificationTask, WordNetNeedsNoDataDir) {
  if (!path_exists("/usr/share/wordnet/data.noun") && std::getenv("EARLYBERT_WORDNET_DIR") == nullptr)
    GTEST_SKIP() << "WordNet (wordnet-base) is not installed";
  TrainingArguments args = sst2_args();
  args.task = "wordnet";
  args.data_dir.clear();
  args.max_train_samples = 50;
  ClassificationTask task(task_options(args), load_run_tokenizer(task_options(args)));
  EXPECT_EQ(task.train_size(), 50);
  BertConfig c = load_model_config(e2e_fixture("tiny-model.yaml"));
  task.configure_model(c);
  EXPECT_EQ(c.num_labels, 45);
  EXPECT_EQ(c.id2label.size(), 45u);
}

}  // namespace
}  // namespace earlybert
