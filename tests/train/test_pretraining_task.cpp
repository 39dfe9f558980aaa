// PretrainingTask: held-out evaluation records, dynamic masking by seed, padding, metrics, errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/base/files.h"
#include "earlybert/tasks/pretraining_task.h"
#include "earlybert/tasks/task_tokenizer.h"
#include "earlybert/train/model_presets.h"
#include "earlybert/train/trainer.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

using test::e2e_fixture;
using test::expect_error;

const std::string& shards() {
  static const std::string dir = test::tiny_pretraining_data(test::scratch_dir("pt_shards") + "/data");
  return dir;
}

TrainingArguments pt_args(const std::string& task = "pretraining") {
  TrainingArguments a = test::tiny_finetune_args(test::scratch_dir("pt_out"));
  a.task = task;
  a.data_dir = shards();
  return a;
}

TEST(PretrainingTask, HoldsOutTheTailForEvaluation) {
  const TrainingArguments args = pt_args();
  PretrainingTask task(task_options(args), load_run_tokenizer(task_options(args)));
  const auto n = static_cast<int64_t>(task.dataset().size());
  ASSERT_GT(n, 20);
  const int64_t held = std::max<int64_t>(1, n / 20);
  EXPECT_EQ(task.eval_size(), held);
  EXPECT_EQ(task.train_size(), n - held);
  EXPECT_EQ(task.model_kind(), ModelKind::PreTraining);
  EXPECT_TRUE(task.uses_nsp());
  TrainingArguments limited = args;
  limited.max_eval_samples = 7;
  limited.max_train_samples = 11;
  PretrainingTask t2(task_options(limited), load_run_tokenizer(task_options(args)));
  EXPECT_EQ(t2.eval_size(), 7);
  EXPECT_EQ(t2.train_size(), 11);
  TrainingArguments mlm = pt_args("mlm");
  PretrainingTask t3(task_options(mlm), load_run_tokenizer(task_options(mlm)));
  EXPECT_EQ(t3.model_kind(), ModelKind::MaskedLM);
  EXPECT_FALSE(t3.uses_nsp());
  EXPECT_FALSE(t3.train_batch({0, 1}, 1).next_sentence_label.defined());
}

TEST(PretrainingTask, MasksAreAPureFunctionOfTheSeed) {
  const TrainingArguments args = pt_args();
  PretrainingTask task(task_options(args), load_run_tokenizer(task_options(args)));
  const Batch a = task.train_batch({3, 0, 5}, epoch_seed(1, 0));
  const Batch b = task.train_batch({3, 0, 5}, epoch_seed(1, 0));
  const Batch c = task.train_batch({3, 0, 5}, epoch_seed(1, 1));
  EXPECT_TRUE(torch::equal(a.input_ids, b.input_ids));
  EXPECT_TRUE(torch::equal(a.labels, b.labels));
  EXPECT_FALSE(torch::equal(a.labels, c.labels)) << "a new epoch must bring new masks";
  // padding: labels -100 and attention 0 past each sequence's end
  const auto pad = a.attention_mask.eq(0);
  EXPECT_TRUE(a.labels.masked_select(pad).eq(-100).all().item<bool>());
  EXPECT_GT(a.labels.ne(-100).sum().item<int64_t>(), 0);
  EXPECT_TRUE(a.next_sentence_label.defined());
  expect_error([&] { task.train_batch({task.train_size()}, 1); }, {"out of range"});
}

TEST(PretrainingTask, ConfiguresAndEvaluatesAModel) {
  const TrainingArguments args = pt_args();
  PretrainingTask task(task_options(args), load_run_tokenizer(task_options(args)));
  BertConfig c = load_model_config(e2e_fixture("tiny-model.yaml"));
  c.vocab_size = 7;
  task.configure_model(c);
  EXPECT_EQ(c.vocab_size, 64);
  torch::manual_seed(0);
  AnyBertModel model = AnyBertModel::create(task.model_kind(), c);
  const Metrics m = task.evaluate(model, EvalContext{4});
  for (const char* k : {"loss", "mlm_loss", "mlm_accuracy", "perplexity", "nsp_loss", "nsp_accuracy"})
    EXPECT_TRUE(m.count(k)) << k;
  EXPECT_NEAR(m.at("perplexity"), std::exp(m.at("mlm_loss")), 1e-9);
  EXPECT_NEAR(m.at("loss"), m.at("mlm_loss") + m.at("nsp_loss"), 1e-12);
  // a fixed evaluation seed: the same numbers every time, whatever the batch size
  const Metrics again = task.evaluate(model, EvalContext{3});
  EXPECT_NEAR(again.at("mlm_loss"), m.at("mlm_loss"), 1e-5);
  EXPECT_EQ(again.at("mlm_accuracy"), m.at("mlm_accuracy"));
  expect_error([&] { task.predict(model, "test", EvalContext{4}, "x"); }, {"task"});
}

TEST(PretrainingTask, ErrorsNameTheKey) {
  TrainingArguments args = pt_args();
  args.data_dir.clear();
  expect_error([&] { PretrainingTask t(task_options(args), load_run_tokenizer(task_options(pt_args()))); },
               {"data_dir"});
  args.data_dir = test::scratch_dir("pt_missing");
  expect_error([&] { PretrainingTask t(task_options(args), load_run_tokenizer(task_options(pt_args()))); },
               {"pt_missing"});
  // a vocabulary other than the shards' is refused
  const std::string other = test::scratch_dir("pt_vocab") + "/vocab.txt";
  write_file_atomic(other, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nfoo\n");
  TrainingArguments wrong = pt_args();
  wrong.tokenizer_name = other;
  expect_error([&] { make_task(wrong); }, {"vocab"});
  TrainingArguments bad = pt_args();
  bad.task = "sst2";
  expect_error([&] { PretrainingTask t(task_options(bad), load_run_tokenizer(task_options(bad))); }, {"task"});
}

}  // namespace
}  // namespace earlybert
