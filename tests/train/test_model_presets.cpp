// Tests for model configs named by `config_name`: built-in presets, YAML files (strict keys, file:line
// errors) and the shipped configs/models/*.yaml, which must equal the built-in presets.
#include "earlybert/train/model_presets.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "earlybert/base/files.h"
#include "train_test_util.h"

using namespace earlybert;
using earlybert::test::configs_dir;
using earlybert::test::expect_error;
using earlybert::test::train_fixture;

TEST(ModelPresets, PresetNamesGiveTheBuiltInShapes) {
  const auto small = load_model_config("bert-small");
  EXPECT_EQ(small.num_hidden_layers, 4);
  EXPECT_EQ(small.hidden_size, 512);
  EXPECT_EQ(small.num_attention_heads, 8);
  EXPECT_EQ(small.intermediate_size, 2048);
  EXPECT_EQ(load_model_config("bert-large").num_hidden_layers, 24);
}

TEST(ModelPresets, ShippedYamlFilesEqualTheBuiltInPresets) {
  const std::string dir = configs_dir() + "/models";
  for (const auto& name : BertConfig::preset_names()) {
    SCOPED_TRACE(name);
    const std::string path = dir + "/" + name + ".yaml";
    ASSERT_TRUE(path_exists(path)) << path;
    EXPECT_TRUE(load_model_config(path) == BertConfig::preset(name));
  }
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files += e.path().extension() == ".yaml";
  EXPECT_EQ(files, BertConfig::preset_names().size()) << "a model YAML without a built-in preset";
}

TEST(ModelPresets, YamlIsTypedByKey) {
  const std::string json = model_yaml_to_config_json(
      "hidden_size: 64\nlayer_norm_eps: 1e-12\nhidden_act: gelu\narchitectures: [BertForMaskedLM]\n"
      "classifier_dropout:\nuse_cache: true\n",
      "inline.yaml");
  EXPECT_NE(json.find("\"hidden_size\": 64"), std::string::npos) << json;
  EXPECT_NE(json.find("\"layer_norm_eps\": 1e-12"), std::string::npos) << json;
  EXPECT_NE(json.find("\"classifier_dropout\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"use_cache\": true"), std::string::npos) << json;
  EXPECT_NE(json.find("\"BertForMaskedLM\""), std::string::npos) << json;
}

TEST(ModelPresets, BadModelFilesNameFileLineAndKey) {
  expect_error([] { load_model_config(train_fixture("model_unknown_key.yaml")); },
               {"model_unknown_key.yaml:6", "unknown model config key 'hiden_act'"});
  expect_error([] { load_model_config(train_fixture("bad_model.yaml")); }, {"bad_model.yaml", "num_attention_heads"});
  expect_error([] { model_yaml_to_config_json("hidden_size: big\n", "m.yaml"); },
               {"m.yaml:1", "hidden_size", "expected an integer"});
  expect_error([] { load_model_config("bert-huge"); }, {"config_name", "bert-huge", "bert-small"});
  expect_error([] { load_model_config("/nonexistent/model.yaml"); }, {"/nonexistent/model.yaml"});
}
