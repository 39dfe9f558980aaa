// SquadTask: file resolution, features and batches, evaluation (EM/F1, v2.0 null threshold),
// predictions.json, the trainer learning the synthetic fixture (dense and with an EarlyBERT draw), and
// the real dev set when EARLYBERT_SHARED_DATA is present.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>

#include "earlybert/base/files.h"
#include "earlybert/data/squad_decode.h"
#include "earlybert/data/squad_eval.h"
#include "earlybert/tasks/squad_task.h"
#include "earlybert/tasks/task_tokenizer.h"
#include "earlybert/train/model_presets.h"
#include "earlybert/train/trainer.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

using test::expect_error;
using test::scratch_dir;

std::string squad_fixture(const std::string& name = "") {
  const std::string dir = test::train_fixture("squad");
  return name.empty() ? dir : dir + "/" + name;
}

/// The synthetic fixture (tests/fixtures/train/squad/make_fixtures.py) with short windows, so that
/// every context is cut into several of them, and the e2e tests' tiny model.
TrainingArguments squad_args(const std::string& task, const std::string& output_dir) {
  TrainingArguments a;
  a.output_dir = output_dir;
  a.task = task;
  a.data_dir = squad_fixture();
  a.tokenizer_name = squad_fixture("vocab.txt");
  a.config_name = test::e2e_fixture("tiny-model.yaml");
  a.device = "cpu";
  a.threads = 1;
  a.seed = 7;
  a.max_seq_length = 32;
  a.doc_stride = 8;
  a.max_query_length = 8;
  a.per_device_train_batch_size = 16;
  a.per_device_eval_batch_size = 64;
  a.learning_rate = 3e-3;
  a.warmup_steps = 5;
  a.lr_scheduler_type = LrScheduleType::Linear;
  a.logging_steps = 20;
  a.save_steps = 0;
  a.eval_steps = 0;
  a.ticket_mode = TicketMode::None;
  return a;
}

AnyBertModel tiny_model(const Task& task, uint64_t seed = 0) {
  BertConfig c = load_model_config(test::e2e_fixture("tiny-model.yaml"));
  task.configure_model(c);
  torch::manual_seed(seed);
  return AnyBertModel::create(task.model_kind(), c);
}

/// Sets qa_outputs to zero weight and the given bias: every position gets the same start and end logit.
void flat_logits(AnyBertModel& model, float start_bias, float end_bias) {
  torch::NoGradGuard no_grad;
  auto& qa = model.get<BertForQuestionAnswering>();
  qa->qa_outputs->weight.zero_();
  qa->qa_outputs->bias.copy_(torch::tensor({start_bias, end_bias}));
}

TEST(SquadTask, SplitFilesFromDataDirOrExplicitKeys) {
  EXPECT_EQ(squad_split_file(squad_fixture(), "", "train", false), squad_fixture() + "/train-v1.1.json");
  EXPECT_EQ(squad_split_file(squad_fixture(), "", "dev", true), squad_fixture() + "/dev-v2.0.json");
  const std::string explicit_file = squad_fixture("dev-v1.1.json");
  EXPECT_EQ(squad_split_file("", explicit_file, "train", false), explicit_file);  // explicit wins
  EXPECT_EQ(squad_split_file("/nonexistent", explicit_file, "dev", false), explicit_file);
  expect_error([] { squad_split_file("", "", "train", false); }, {"data_dir", "train-v1.1.json", "train_file"});
  expect_error([] { squad_split_file("/nonexistent/squad", "", "dev", false); },
               {"data_dir", "/nonexistent/squad/dev-v1.1.json", "validation_file"});
  expect_error([] { squad_split_file("", "/no/such.json", "dev", false); }, {"validation_file", "/no/such.json"});
  expect_error([] { squad_split_file(squad_fixture(), "", "test", false); }, {"split", "test"});
}

TEST(SquadTask, CollatePadsToTheLongestAndCarriesTheTargets) {
  std::vector<SquadFeature> f(3);
  f[0].input_ids = {2, 7, 3, 9, 3};
  f[0].token_type_ids = {0, 0, 0, 1, 1};
  f[0].start_position = 3;
  f[0].end_position = 3;
  f[1].input_ids = {2, 7, 3};
  f[1].token_type_ids = {0, 0, 0};
  f[2].input_ids = {2, 7, 8, 3, 9, 10, 3};
  f[2].token_type_ids = {0, 0, 0, 0, 1, 1, 1};
  f[2].start_position = 4;
  f[2].end_position = 5;
  const Batch b = collate_squad(f, {1, 0}, 0, true);
  EXPECT_EQ(b.input_ids.sizes(), (std::vector<int64_t>{2, 5}));  // longest of the two, not of all
  EXPECT_TRUE(torch::equal(b.input_ids, torch::tensor({2, 7, 3, 0, 0, 2, 7, 3, 9, 3}, torch::kLong).view({2, 5})));
  EXPECT_TRUE(torch::equal(b.attention_mask, torch::tensor({1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, torch::kLong).view({2, 5})));
  EXPECT_TRUE(torch::equal(b.token_type_ids[1], torch::tensor({0, 0, 0, 1, 1}, torch::kLong)));
  EXPECT_TRUE(torch::equal(b.start_positions, torch::tensor({0, 3}, torch::kLong)));
  EXPECT_TRUE(torch::equal(b.end_positions, torch::tensor({0, 3}, torch::kLong)));
  const Batch all = collate_squad(f, {0, 1, 2}, 0, false);
  EXPECT_EQ(all.seq_len(), 7);
  EXPECT_FALSE(all.start_positions.defined());
  EXPECT_FALSE(all.end_positions.defined());
  expect_error([&] { collate_squad(f, {3}, 0, true); }, {"out of range"});
  expect_error([&] { collate_squad(f, {}, 0, true); }, {"no features"});
}

TEST(SquadTask, WindowsTargetTheAnswerAndTheModelFitsTheTask) {
  const TrainingArguments args = squad_args("squad", scratch_dir("squad_features"));
  SquadTask task(task_options(args), load_run_tokenizer(task_options(args)));
  EXPECT_EQ(task.name(), "squad");
  EXPECT_EQ(task.model_kind(), ModelKind::QuestionAnswering);
  EXPECT_FALSE(task.version_2());
  EXPECT_EQ(task.train_data().examples.size(), 64u);
  // Contexts of 20-80 tokens in windows of at most 32 - 3 - |question| tokens: several per question.
  EXPECT_GT(task.train_size(), 2 * 64);
  const Tokenizer& tok = task.tokenizer();
  size_t answered = 0;
  for (const SquadFeature& f : task.train_features()) {
    EXPECT_LE(f.size(), 32u);
    EXPECT_TRUE(f.context_offsets.empty());  // training features keep ids and targets only
    if (f.is_impossible) {
      EXPECT_EQ(f.start_position, 0);
      EXPECT_EQ(f.end_position, 0);
      continue;
    }
    ++answered;
    // The answer is one colour word: the target is that token, inside the context part.
    EXPECT_EQ(f.start_position, f.end_position);
    EXPECT_EQ(f.token_type_ids[static_cast<size_t>(f.start_position)], 1);
    const std::string word = tok.id_to_token(f.input_ids[static_cast<size_t>(f.start_position)]);
    EXPECT_NE(std::string(" red blue green yellow purple orange white black ").find(" " + word + " "),
              std::string::npos)
        << word;
  }
  EXPECT_GE(answered, 64u);  // every question's answer lies whole in at least one window
  const Batch b = task.train_batch({0, 1, 2}, 0);
  EXPECT_EQ(b.batch_size(), 3);
  EXPECT_TRUE(b.start_positions.defined());
  EXPECT_GT(task.tokens_per_feature(), 8);
  EXPECT_LE(task.tokens_per_feature(), 32);
  // The dev windows keep what decoding needs.
  EXPECT_EQ(task.dev_data().examples.size(), 16u);
  for (const SquadFeature& f : task.dev_features()) EXPECT_EQ(f.context_offsets.size(), f.token_is_max_context.size());

  BertConfig c = load_model_config(test::e2e_fixture("tiny-model.yaml"));
  c.vocab_size = 999;
  c.num_labels = 5;
  task.configure_model(c);
  EXPECT_EQ(c.vocab_size, static_cast<int64_t>(tok.vocab_size()));  // a new model is sized to its tokenizer
  EXPECT_EQ(c.num_labels, 2);
  TrainingArguments long_seq = args;
  long_seq.max_seq_length = 100;
  SquadTask task2(task_options(long_seq), load_run_tokenizer(task_options(args)));
  BertConfig c2 = load_model_config(test::e2e_fixture("tiny-model.yaml"));
  expect_error([&] { task2.configure_model(c2); }, {"max_seq_length", "max_position_embeddings"});
  TrainingArguments pretrained = args;
  pretrained.model_name_or_path = "some/dir";
  SquadTask task3(task_options(pretrained), load_run_tokenizer(task_options(args)));
  BertConfig small = c;
  small.vocab_size = 10;
  expect_error([&] { task3.configure_model(small); }, {"model_name_or_path", "vocab_size"});
}

TEST(SquadTask, SampleLimitsCountQuestions) {
  TrainingArguments args = squad_args("squad", scratch_dir("squad_limits"));
  args.max_train_samples = 5;
  args.max_eval_samples = 3;
  SquadTask task(task_options(args), load_run_tokenizer(task_options(args)));
  EXPECT_EQ(task.train_data().examples.size(), 5u);
  EXPECT_EQ(task.dev_data().examples.size(), 3u);
  for (const SquadFeature& f : task.train_features()) EXPECT_LT(f.example_index, 5u);
  // train_file / validation_file replace the data_dir files.
  TrainingArguments swapped = squad_args("squad", scratch_dir("squad_swap"));
  swapped.data_dir.clear();
  swapped.train_file = squad_fixture("dev-v1.1.json");
  swapped.validation_file = squad_fixture("train-v1.1.json");
  SquadTask task2(task_options(swapped), load_run_tokenizer(task_options(swapped)));
  EXPECT_EQ(task2.train_data().examples.size(), 16u);
  EXPECT_EQ(task2.dev_data().examples.size(), 64u);
}

TEST(SquadTask, ErrorsNameTheKeyOrFile) {
  const TrainingArguments args = squad_args("squad", scratch_dir("squad_errors"));
  auto tok = load_run_tokenizer(task_options(args));
  std::shared_ptr<const Tokenizer> shared_tok(std::move(tok));
  TrainingArguments wrong = args;
  wrong.task = "sst2";
  expect_error([&] { SquadTask t(task_options(wrong), shared_tok); }, {"task", "sst2"});
  TrainingArguments no_data = args;
  no_data.data_dir.clear();
  expect_error([&] { SquadTask t(task_options(no_data), shared_tok); }, {"data_dir"});
  expect_error([&] { SquadTask t(task_options(args), nullptr); }, {"tokenizer"});
  TrainingArguments short_seq = args;
  short_seq.max_seq_length = 11;  // max_query_length 8 + 3 specials leaves no context
  expect_error([&] { SquadTask t(task_options(short_seq), shared_tok); }, {"max_seq_length", "max_query_length"});
  TrainingArguments missing = args;
  missing.data_dir = scratch_dir("squad_empty_dir");
  SquadTask t_missing(task_options(missing), shared_tok);  // files are read when first needed...
  expect_error([&] { t_missing.train_size(); }, {"data_dir", "train-v1.1.json"});  // ...and then named
  // A v2.0 file under task squad (v1.1 has no "no answer") is refused, naming the file.
  TrainingArguments v2_file = args;
  v2_file.validation_file = squad_fixture("dev-v2.0.json");
  SquadTask t_v2(task_options(v2_file), shared_tok);
  expect_error([&] { t_v2.dev_data(); }, {"dev-v2.0.json", "squad_v2"});
  // A malformed file: the data area's error, naming the file.
  const std::string bad = scratch_dir("squad_bad") + "/dev.json";
  write_file_atomic(bad, "{\"version\": \"1.1\", \"data\": [{\"title\": \"x\", \"paragraphs\": 3}]}");
  TrainingArguments bad_args = args;
  bad_args.validation_file = bad;
  SquadTask t_bad(task_options(bad_args), shared_tok);
  expect_error([&] { t_bad.dev_data(); }, {bad});
  // A classification model is refused.
  SquadTask task(task_options(args), shared_tok);
  BertConfig c = load_model_config(test::e2e_fixture("tiny-model.yaml"));
  task.configure_model(c);
  AnyBertModel cls = AnyBertModel::create(ModelKind::SequenceClassification, c);
  expect_error([&] { task.evaluate(cls, EvalContext{8}); }, {"task", "BertForQuestionAnswering"});
  // The error names the make_task key too.
  TrainingArguments via_registry = args;
  via_registry.tokenizer_name = "/no/such/vocab.txt";
  expect_error([&] { make_task(via_registry); }, {"tokenizer_name"});
}

TEST(SquadTask, EvaluateScoresAndPredictWritesScorableFiles) {
  const std::string out = scratch_dir("squad_predict");
  const TrainingArguments args = squad_args("squad", out);
  std::unique_ptr<Task> base = make_task(args);  // the registry dispatches squad here
  auto* task = dynamic_cast<SquadTask*>(base.get());
  ASSERT_NE(task, nullptr);
  AnyBertModel model = tiny_model(*task);
  const Metrics m = task->evaluate(model, EvalContext{5});  // a batch size that leaves a ragged last batch
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m.at("samples"), 16.0);  // eval_samples: the dev questions
  ASSERT_TRUE(m.count("exact_match"));
  ASSERT_TRUE(m.count("f1"));
  EXPECT_GE(m.at("f1"), m.at("exact_match"));
  EXPECT_LE(m.at("f1"), 100.0);

  const auto files = task->predict(model, "dev", EvalContext{64}, out);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], out + "/predictions.json");
  EXPECT_EQ(files[1], out + "/nbest_predictions.json");
  const auto preds = read_squad_predictions(files[0]);
  EXPECT_EQ(preds.size(), 16u);
  // predictions.json scores exactly what evaluate() reported (what `earlybert score` computes).
  const MetricValues rescored = evaluate_squad(task->dev_data().examples, preds, SquadVersion::V1);
  EXPECT_DOUBLE_EQ(rescored.at("exact_match"), m.at("exact_match"));
  EXPECT_DOUBLE_EQ(rescored.at("f1"), m.at("f1"));
  expect_error([&] { task->predict(model, "test", EvalContext{8}, out); }, {"split", "dev"});

  // Flat logits: every span scores the same, so decoding falls back to its order (the first context
  // token, a one-token span) — never the answer here, because contexts never open with a colour.
  flat_logits(model, 0.f, 0.f);
  const Metrics flat = task->evaluate(model, EvalContext{64});
  EXPECT_EQ(flat.at("exact_match"), 0.0);
}

TEST(SquadTask, Version2NullThresholdDecidesNoAnswer) {
  const std::string out = scratch_dir("squad_v2");
  TrainingArguments args = squad_args("squad_v2", out);
  SquadTask never_null(task_options(args), load_run_tokenizer(task_options(args)));
  EXPECT_TRUE(never_null.version_2());
  EXPECT_EQ(never_null.dev_data().examples.size(), 20u);
  AnyBertModel model = tiny_model(never_null);
  flat_logits(model, 0.f, 0.f);  // null score = best span score: the threshold alone decides

  args.null_score_diff_threshold = 1.0;  // null - best = 0 is not above 1: always answer
  SquadTask answer_all(task_options(args), load_run_tokenizer(task_options(args)));
  const Metrics a = answer_all.evaluate(model, EvalContext{64});
  EXPECT_EQ(a.at("total"), 20.0);
  EXPECT_EQ(a.at("HasAns_total"), 12.0);
  EXPECT_EQ(a.at("NoAns_total"), 8.0);
  EXPECT_EQ(a.at("exact_match"), a.at("exact"));
  // Every question gets a span (with flat logits the first context token). Its score is not checked:
  // the official normalization turns a predicted "the" into "", which matches a no-answer gold.
  for (const auto& p : answer_all.dev_predictions(model, EvalContext{64})) {
    EXPECT_FALSE(p.text.empty()) << p.id;
    EXPECT_EQ(p.score_diff, 0.0) << p.id;
  }

  args.null_score_diff_threshold = -1.0;  // 0 > -1: always "no answer"
  SquadTask answer_none(task_options(args), load_run_tokenizer(task_options(args)));
  const Metrics n = answer_none.evaluate(model, EvalContext{64});
  EXPECT_EQ(n.at("NoAns_exact"), 100.0);
  EXPECT_EQ(n.at("HasAns_exact"), 0.0);
  EXPECT_DOUBLE_EQ(n.at("exact_match"), 100.0 * 8.0 / 20.0);

  const auto files = answer_none.predict(model, "dev", EvalContext{64}, out);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[2], out + "/null_odds.json");
  for (const auto& [id, text] : read_squad_predictions(files[0])) EXPECT_EQ(text, "") << id;
}

/// Fine-tunes the tiny model on the fixture through the Trainer (make_task → SquadTask) and returns the
/// result; the fixture's answer is the one colour word of a context, learnable from token identity.
test::LoggedRun train_on_fixture(TrainingArguments args) { return test::train_logged(args); }

TEST(SquadTask, TrainerLearnsTheFixtureDenseAndWithAnEarlyBirdTicket) {
  const std::string root = scratch_dir("squad_train");
  TrainingArguments args = squad_args("squad", root + "/dense");
  args.max_steps = 80;

  SquadTask untrained_task(task_options(args), load_run_tokenizer(task_options(args)));
  AnyBertModel untrained = tiny_model(untrained_task, static_cast<uint64_t>(args.seed));
  const double em_before = untrained_task.evaluate(untrained, EvalContext{64}).at("exact_match");

  const test::LoggedRun dense = train_on_fixture(args);
  ASSERT_EQ(dense.global_step, 80);
  EXPECT_EQ(dense.phase, Phase::Dense);
  ASSERT_TRUE(dense.eval_metrics.count("exact_match"));
  EXPECT_GE(dense.eval_metrics.at("exact_match"), 87.5) << "before training: " << em_before;  // 14 of 16
  EXPECT_LT(em_before, 50.0);
  EXPECT_LT(dense.steps.back().loss, dense.steps.front().loss);
  EXPECT_TRUE(path_exists(args.output_dir + "/eval_results.json"));

  // EarlyBERT: search with slimming coefficients, draw (here by the search bound), prune, train on.
  TrainingArguments eb = squad_args("squad", root + "/earlybert");
  eb.max_steps = 80;
  eb.ticket_mode = TicketMode::EarlyBird;
  eb.ticket_check_steps = 5;
  eb.max_search_steps = 20;
  eb.self_pruning_ratio = 0.25;  // 1 of 4 heads per layer
  eb.inter_pruning_ratio = 0.25;
  eb.rewind = RewindMode::None;
  eb.efficient_max_steps = 60;  // the efficient stage's own budget after the draw
  const test::LoggedRun pruned = train_on_fixture(eb);
  ASSERT_EQ(pruned.global_step, pruned.draw_step + 60);
  EXPECT_EQ(pruned.phase, Phase::Efficient);
  EXPECT_GT(pruned.draw_step, 0);
  EXPECT_LE(pruned.draw_step, 20);
  EXPECT_LT(pruned.params_final, pruned.params_initial);
  EXPECT_GE(pruned.eval_metrics.at("exact_match"), 75.0);  // 12 of 16
  EXPECT_TRUE(path_exists(eb.output_dir + "/ticket.json"));
}

// ---- the real dev set with the real WordPiece tokenizer ----

TEST(SquadTaskRealDev, FeatureCountsAndEvaluationOnRealText) {
  const char* d = std::getenv("EARLYBERT_SHARED_DATA");
  const std::string squad_dir = d ? join_path(d, "squad") : "";
  const std::string vocab = d ? join_path(d, "vocab/bert-base-uncased-vocab.txt") : "";
  if (squad_dir.empty() || !path_exists(squad_dir + "/dev-v1.1.json") || !path_exists(vocab))
    GTEST_SKIP() << "EARLYBERT_SHARED_DATA (squad/dev-v1.1.json, vocab/) is absent";
  TrainingArguments args;
  args.task = "squad";
  args.data_dir = squad_dir;
  args.tokenizer_name = vocab;
  args.max_seq_length = 384;
  args.doc_stride = 128;
  args.max_query_length = 64;
  SquadTask task(task_options(args), load_run_tokenizer(task_options(args)));
  const auto& dev = task.dev_data();
  const auto& features = task.dev_features();
  std::printf("dev-v1.1.json: %zu questions -> %zu features (384/128/64)\n", dev.examples.size(), features.size());
  EXPECT_EQ(dev.examples.size(), 10570u);
  // Most contexts fit one 384-token window; the long ones need two or more. 10833 is the count measured
  // with this vocabulary and 384/128/64 (a change here means the tokenizer or the windowing changed).
  EXPECT_EQ(features.size(), 10833u);
  size_t max_len = 0, last_example = 0;
  for (const auto& f : features) {
    max_len = std::max(max_len, f.size());
    EXPECT_GE(f.example_index, last_example);  // in question order, every question present
    EXPECT_LE(f.example_index, last_example + 1);
    last_example = f.example_index;
  }
  EXPECT_EQ(last_example, 10569u);
  EXPECT_EQ(max_len, 384u);
  // No training file in the shared data: the error names data_dir and the file.
  expect_error([&] { task.train_size(); }, {"data_dir", "train-v1.1.json"});

  // The whole pipeline over real text on a few questions, with a tiny model of the real vocabulary.
  args.max_eval_samples = 24;
  SquadTask small(task_options(args), load_run_tokenizer(task_options(args)));
  BertConfig c = load_model_config(test::e2e_fixture("tiny-model.yaml"));
  c.max_position_embeddings = 384;
  small.configure_model(c);
  EXPECT_EQ(c.vocab_size, 30522);
  torch::manual_seed(0);
  AnyBertModel model = AnyBertModel::create(ModelKind::QuestionAnswering, c);
  const Metrics m = small.evaluate(model, EvalContext{8});
  EXPECT_GE(m.at("f1"), 0.0);
  EXPECT_LE(m.at("f1"), 100.0);
}

}  // namespace
}  // namespace earlybert
