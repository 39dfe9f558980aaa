// Every YAML file shipped in configs/ loads through its loader: training configs through the
// TrainingArguments loader (no unknown key, no out-of-range value, cross-key checks pass), model
// presets through the model config loader. A typo in a shipped config fails here, not in a user's run.
#include <gtest/gtest.h>

#include <filesystem>

#include "earlybert/train/model_presets.h"
#include "earlybert/train/training_args.h"
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
  }
}
