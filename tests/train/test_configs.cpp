// Every YAML file shipped in configs/ loads through its loader: training configs through the
// TrainingArguments loader (no unknown key, no out-of-range value, cross-key checks pass), model
// presets through the model config loader. A typo in a shipped config fails here, not in a user's run.
#include <gtest/gtest.h>

#include <filesystem>

#include <iostream>
#include <map>

#include "earlybert/train/model_presets.h"
#include "earlybert/train/trainer.h"
#include "earlybert/train/training_args.h"
#include "scratch_dir.h"
#include "train/trainer_test_util.h"
#include "train_test_util.h"

using namespace earlybert;
namespace fs = std::filesystem;

namespace {
std::vector<std::string> yaml_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml"))
      out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST(Configs, EveryShippedYamlLoads) {
  const std::string root = earlybert::test::configs_dir();
  ASSERT_TRUE(fs::is_directory(root)) << root;
  size_t training = 0, models = 0;
  for (const auto& path : yaml_files(root)) {
    SCOPED_TRACE(path);
    if (fs::path(path).parent_path().filename() == "models") {
      EXPECT_NO_THROW(load_model_config(path));
      ++models;
    } else {
      TrainingArguments a;
      EXPECT_NO_THROW({
        a = resolve_training_arguments({path}, {});
        if (!a.config_name.empty()) load_model_config(a.config_name);
      });
      ++training;
    }
  }
  EXPECT_EQ(models, 6u);
  EXPECT_GE(training, 15u);  // 12 fine-tuning tasks + pre-training configs
}

TEST(Configs, FineTuningConfigForEveryTask) {
  const std::string dir = earlybert::test::configs_dir() + "/finetune";
  for (const char* task :
       {"cola", "sst2", "mrpc", "stsb", "qqp", "mnli", "qnli", "rte", "wnli", "squad", "squad_v2", "wordnet"}) {
    SCOPED_TRACE(task);
    const auto a = resolve_training_arguments({dir + "/" + task + ".yaml"}, {});
    EXPECT_EQ(a.task, task);
    // The official EarlyBERT draw settings.
    EXPECT_DOUBLE_EQ(a.l1_loss_self_coef, 1e-4);
    EXPECT_DOUBLE_EQ(a.l1_loss_inter_coef, 1e-4);
    EXPECT_NEAR(a.self_pruning_ratio, 1.0 / 3.0, 1e-6);
    EXPECT_EQ(a.self_pruning_method, PruneScope::Layerwise);
    EXPECT_DOUBLE_EQ(a.inter_pruning_ratio, 0.4);
    EXPECT_EQ(a.inter_pruning_method, PruneScope::Global);
    EXPECT_EQ(a.rewind, RewindMode::Initial);
    // The official protocol: the efficient stage is a run of its own.
    EXPECT_EQ(a.efficient_schedule, EfficientSchedule::Restart);
    EXPECT_GT(a.efficient_num_train_epochs, 0);
    EXPECT_GT(a.efficient_learning_rate, 0);
  }
}

TEST(Configs, GlueAndSquadFollowTheOfficialBatchAndRates) {
  const std::string dir = earlybert::test::configs_dir() + "/finetune";
  for (const char* task : {"cola", "sst2", "mrpc", "stsb", "qqp", "mnli", "qnli", "rte", "wnli"}) {
    SCOPED_TRACE(task);
    const auto a = resolve_training_arguments({dir + "/" + task + ".yaml"}, {});
    EXPECT_EQ(a.per_device_train_batch_size * a.gradient_accumulation_steps, 128);
    EXPECT_DOUBLE_EQ(a.search_learning_rate, 2e-5);
    EXPECT_DOUBLE_EQ(a.efficient_learning_rate, 4e-5);
    EXPECT_DOUBLE_EQ(a.efficient_num_train_epochs, 2);
    EXPECT_FALSE(a.do_lower_case.has_value());  // bert-base-cased: the model directory decides
    const auto d = resolve_training_arguments({dir + "/dense/" + task + ".yaml"}, {});
    EXPECT_EQ(d.task, task);
    EXPECT_EQ(d.ticket_mode, TicketMode::None);
    EXPECT_EQ(d.per_device_train_batch_size * d.gradient_accumulation_steps, 32);
    EXPECT_DOUBLE_EQ(d.learning_rate, 2e-5);
    EXPECT_DOUBLE_EQ(d.num_train_epochs, 3);
  }
  for (const char* task : {"squad", "squad_v2"}) {
    SCOPED_TRACE(task);
    const auto a = resolve_training_arguments({dir + "/" + task + ".yaml"}, {});
    EXPECT_EQ(a.per_device_train_batch_size * a.gradient_accumulation_steps, 48);
    EXPECT_EQ(resolve_training_arguments({dir + "/dense/" + task + ".yaml"}, {}).ticket_mode, TicketMode::None);
  }
}

namespace {

/// Overrides that point a shipped config at the test fixtures and shrink it to a few updates; the
/// config's own protocol keys (efficient_schedule, accumulation, ticket_mode, ...) stay as shipped.
std::vector<ConfigOverride> smoke_overrides(const TrainingArguments& shipped, const std::string& out) {
  using earlybert::test::fixtures_dir;
  using earlybert::test::train_fixture;
  std::vector<ConfigOverride> o = {{"output_dir", out, "test"},
                                   {"device", "cpu", "test"},
                                   {"threads", "1", "test"},
                                   {"model_name_or_path", "", "test"},
                                   {"max_steps", "3", "test"},
                                   {"efficient_max_steps", "2", "test"},
                                   {"max_search_steps", "2", "test"},
                                   {"ticket_check_steps", "1", "test"},
                                   {"per_device_train_batch_size", "2", "test"},
                                   {"per_device_eval_batch_size", "4", "test"},
                                   {"logging_steps", "1", "test"},
                                   {"save_steps", "0", "test"},
                                   {"max_eval_samples", "8", "test"}};
  const std::string& task = shipped.task;
  if (task == "squad" || task == "squad_v2") {
    o.push_back({"data_dir", train_fixture("squad"), "test"});
    o.push_back({"tokenizer_name", train_fixture("squad/vocab.txt"), "test"});
    o.push_back({"max_seq_length", "64", "test"});
    o.push_back({"doc_stride", "16", "test"});
    o.push_back({"max_query_length", "16", "test"});
  } else if (task == "pretraining" || task == "mlm") {
    o.push_back({"tokenizer_name", train_fixture("e2e/vocab.txt"), "test"});
    o.push_back({"max_seq_length", "32", "test"});
  } else {
    static const std::map<std::string, std::string> dirs = {{"cola", "CoLA"},  {"sst2", "SST-2"}, {"mrpc", "MRPC"},
                                                            {"stsb", "STS-B"}, {"qqp", "QQP"},    {"mnli", "MNLI"},
                                                            {"qnli", "QNLI"},  {"rte", "RTE"},    {"wnli", "WNLI"}};
    if (dirs.count(task)) o.push_back({"data_dir", fixtures_dir() + "/data/glue/" + dirs.at(task), "test"});
    o.push_back({"tokenizer_name", train_fixture("e2e/vocab.txt"), "test"});
    o.push_back({"max_seq_length", "32", "test"});
    o.push_back({"max_train_samples", "16", "test"});
  }
  o.push_back({"config_name", train_fixture("e2e/tiny-model.yaml"), "test"});
  return o;
}

}  // namespace

// Every shipped training config starts and trains a few updates, with its own protocol keys, on the
// fixtures (its data, model size and step budget replaced). A config whose keys do not work together
// — e.g. a protocol key the trainer refuses, or a schedule that cannot start — fails here.
TEST(Configs, EveryShippedTrainingConfigStarts) {
  const std::string root = earlybert::test::configs_dir();
  const std::string scratch = earlybert::test::scratch_dir("config_smoke");
  const std::string shards = earlybert::test::tiny_pretraining_data(scratch + "/shards");
  size_t started = 0;
  for (const auto& path : yaml_files(root)) {
    if (fs::path(path).parent_path().filename() == "models") continue;
    SCOPED_TRACE(path);
    // Demo configs are layered over the task config they name (scripts/demo.sh).
    std::vector<std::string> files;
    if (fs::path(path).parent_path().filename() == "demo") {
      files.push_back(root + (fs::path(path).stem() == "pretrain" ? "/pretrain/wordnet-bert-small.yaml"
                                                                  : "/finetune/wordnet.yaml"));
    }
    files.push_back(path);
    const TrainingArguments shipped = resolve_training_arguments(files, {});
    if (shipped.task == "wordnet" && !fs::exists("/usr/share/wordnet/data.noun")) {
      std::cout << "skipped (no wordnet-base): " << path << "\n";
      continue;
    }
    auto overrides = smoke_overrides(shipped, scratch + "/" + std::to_string(started));
    if (shipped.task == "pretraining") overrides.push_back({"data_dir", shards, "test"});
    TrainingArguments args;
    ASSERT_NO_THROW(args = resolve_training_arguments(files, overrides));
    EXPECT_EQ(args.efficient_schedule, shipped.efficient_schedule);
    EXPECT_EQ(args.gradient_accumulation_steps, shipped.gradient_accumulation_steps);
    EXPECT_EQ(args.bf16, shipped.bf16);  // bert-base.yaml runs in bf16, as documented
    TrainResult r;
    ASSERT_NO_THROW({
      Trainer trainer(args, make_task(args));
      r = trainer.train();
    });
    EXPECT_GT(r.global_step, 0);
    EXPECT_FALSE(r.eval_metrics.empty());
    if (shipped.ticket_mode != TicketMode::None) EXPECT_GE(r.draw_step, 0) << "no ticket drawn";
    ++started;
  }
  EXPECT_GE(started, 20u);
}
