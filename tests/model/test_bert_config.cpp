// BertConfig: config.json round trip, Hugging Face files, presets, and every kind of bad field.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "earlybert/base/files.h"
#include "earlybert/model/bert_config.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

using nlohmann::json;
using test::expect_error;

BertConfig pruned_example() {
  BertConfig c = test::tiny_config();
  c.heads_per_layer = {3, 1};
  c.intermediate_sizes = {7, 12};
  c.pruned_heads = {{0, {2}}, {1, {0, 1, 3}}};
  c.id2label = {"neg", "neu", "pos"};
  c.problem_type = ProblemType::SingleLabelClassification;
  c.architectures = {"BertForSequenceClassification"};
  c.classifier_dropout = 0.25;
  c.hidden_act = "gelu_new";
  c.slimming = false;
  return c;
}

json tiny_json() { return json::parse(test::tiny_config().to_json()); }

void expect_bad(const json& j, const std::vector<std::string>& parts) {
  std::vector<std::string> all = parts;
  all.push_back("cfg.json");
  expect_error([&] { BertConfig::from_json(j.dump(), "cfg.json"); }, all);
}

TEST(BertConfig, JsonRoundTripKeepsEveryField) {
  const BertConfig c = pruned_example();
  const BertConfig back = BertConfig::from_json(c.to_json(), "round-trip");
  EXPECT_EQ(back, c);
  EXPECT_EQ(back.to_json(), c.to_json());
  EXPECT_TRUE(back.is_pruned());
  EXPECT_EQ(back.layer_heads(1), 1);
  EXPECT_EQ(back.layer_intermediate_size(0), 7);
  EXPECT_EQ(back.head_dim(), 4);
}

TEST(BertConfig, GenericLabelNamesRoundTripAsNoNames) {
  const BertConfig c = test::tiny_config();
  const json j = json::parse(c.to_json());
  EXPECT_EQ(j.at("id2label").at("1"), "LABEL_1");
  const auto back = BertConfig::from_json(c.to_json());
  EXPECT_TRUE(back.id2label.empty());
  EXPECT_EQ(back, c);
}

TEST(BertConfig, WritesHuggingFaceNames) {
  const json j = json::parse(pruned_example().to_json());
  EXPECT_EQ(j.at("model_type"), "bert");
  EXPECT_EQ(j.at("id2label").at("2"), "pos");
  EXPECT_EQ(j.at("label2id").at("neu"), 1);
  EXPECT_EQ(j.at("pruned_heads").at("1"), json::array({0, 1, 3}));
  EXPECT_EQ(j.at("earlybert_heads_per_layer"), json::array({3, 1}));
  EXPECT_EQ(j.at("earlybert_intermediate_sizes"), json::array({7, 12}));
  EXPECT_EQ(j.at("earlybert_slimming"), false);
  EXPECT_FALSE(j.contains("num_labels"));  // Hugging Face derives it from id2label
}

TEST(BertConfig, SaveAndLoadFile) {
  const std::string dir = ::testing::TempDir() + "earlybert_config_test";
  const std::string path = join_path(dir, "config.json");
  pruned_example().save(path);
  EXPECT_EQ(BertConfig::load(path), pruned_example());
  remove_all(dir);
  expect_error([&] { BertConfig::load(path); }, {path});
}

TEST(BertConfig, DefaultsForOptionalHuggingFaceFields) {
  const json j = {{"vocab_size", 100},
                  {"hidden_size", 32},
                  {"num_hidden_layers", 2},
                  {"num_attention_heads", 4},
                  {"intermediate_size", 64}};
  const auto c = BertConfig::from_json(j.dump());
  EXPECT_EQ(c.max_position_embeddings, 512);
  EXPECT_EQ(c.hidden_act, "gelu");
  EXPECT_DOUBLE_EQ(c.hidden_dropout_prob, 0.1);
  EXPECT_DOUBLE_EQ(c.layer_norm_eps, 1e-12);
  EXPECT_EQ(c.num_labels, 2);
  EXPECT_TRUE(c.slimming);
  EXPECT_FALSE(c.is_pruned());
}

TEST(BertConfig, LabelCountFromAnyOfItsFields) {
  json j = tiny_json();
  j.erase("id2label");
  j.erase("label2id");
  j["num_labels"] = 5;
  EXPECT_EQ(BertConfig::from_json(j.dump()).num_labels, 5);
  j.erase("num_labels");
  j["_num_labels"] = 1;
  EXPECT_EQ(BertConfig::from_json(j.dump()).num_labels, 1);
  j["id2label"] = {{"0", "a"}, {"1", "b"}};
  expect_bad(j, {"_num_labels"});  // disagrees with id2label
}

TEST(BertConfig, PrunedHeadsAloneGiveTheHeadCounts) {
  json j = tiny_json();
  j["pruned_heads"] = {{"1", {3, 0}}};
  const auto c = BertConfig::from_json(j.dump());
  EXPECT_EQ(c.layer_heads(0), 4);
  EXPECT_EQ(c.layer_heads(1), 2);
  EXPECT_EQ(c.pruned_heads.at(1), (std::vector<int64_t>{0, 3}));
}

TEST(BertConfig, HuggingFaceFixturesLoad) {
  const char* shared = std::getenv("EARLYBERT_SHARED_DATA");
  if (!shared) GTEST_SKIP() << "EARLYBERT_SHARED_DATA not set";
  const std::string a = join_path(shared, "models/tiny-bert-random-safetensors/config.json");
  const std::string b = join_path(shared, "models/tiny-bert-ner-random-pytorch/config.json");
  if (!path_exists(a) || !path_exists(b)) GTEST_SKIP() << "shared model fixtures absent";
  const auto ca = BertConfig::load(a);
  EXPECT_EQ(ca.hidden_size, 32);
  EXPECT_EQ(ca.num_attention_heads, 4);
  EXPECT_EQ(ca.architectures, std::vector<std::string>{"BertModel"});
  const auto cb = BertConfig::load(b);
  EXPECT_EQ(cb.num_labels, 9);
  EXPECT_EQ(cb.id2label.at(3), "B-PER");
}

TEST(BertConfig, MissingRequiredField) {
  for (const char* key :
       {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size"}) {
    json j = tiny_json();
    j.erase(key);
    expect_bad(j, {key, "missing"});
  }
}

TEST(BertConfig, WrongTypes) {
  auto with = [](const std::string& key, json v) {
    json j = tiny_json();
    j[key] = std::move(v);
    return j;
  };
  expect_bad(with("hidden_size", "16"), {"hidden_size", "integer"});
  expect_bad(with("num_hidden_layers", 2.5), {"num_hidden_layers", "integer"});
  expect_bad(with("hidden_dropout_prob", "0.1"), {"hidden_dropout_prob", "number"});
  expect_bad(with("hidden_act", 3), {"hidden_act", "string"});
  expect_bad(with("earlybert_slimming", 1), {"earlybert_slimming", "boolean"});
  expect_bad(with("earlybert_heads_per_layer", {4, "4"}), {"earlybert_heads_per_layer[1]"});
  expect_bad(with("earlybert_intermediate_sizes", 12), {"earlybert_intermediate_sizes", "array"});
  expect_bad(with("id2label", json::array({"a"})), {"id2label", "object"});
  expect_bad(with("pruned_heads", {{"x", {1}}}), {"pruned_heads", "'x'"});
  expect_bad(with("architectures", "BertModel"), {"architectures", "array"});
  expect_error([] { BertConfig::from_json("{\"vocab_size\": 3,", "broken.json"); }, {"broken.json", "malformed"});
  expect_error([] { BertConfig::from_json("[1, 2]", "list.json"); }, {"list.json", "object"});
  // A number too large for a double is nlohmann's out_of_range, not a parse_error (found by fuzzing:
  // fuzz/regressions/bert_config/json-number-overflow).
  expect_error([] { BertConfig::from_json("{\"hidden_dropout_prob\": 1e400}", "huge.json"); },
               {"huge.json", "malformed"});
}

TEST(BertConfig, OutOfRangeValues) {
  auto with = [](const std::string& key, json v) {
    json j = tiny_json();
    j[key] = std::move(v);
    return j;
  };
  expect_bad(with("hidden_size", 18), {"hidden_size", "divisible"});
  expect_bad(with("vocab_size", 0), {"vocab_size", "positive"});
  expect_bad(with("intermediate_size", -4), {"intermediate_size", "positive"});
  expect_bad(with("num_attention_heads", 0), {"num_attention_heads"});
  expect_bad(with("hidden_dropout_prob", 1.5), {"hidden_dropout_prob"});
  expect_bad(with("layer_norm_eps", 0), {"layer_norm_eps"});
  expect_bad(with("hidden_act", "swish"), {"hidden_act", "swish"});
  expect_bad(with("pad_token_id", 40), {"pad_token_id"});
  expect_bad(with("model_type", "roberta"), {"model_type"});
  expect_bad(with("position_embedding_type", "relative_key"), {"position_embedding_type"});
  expect_bad(with("problem_type", "ranking"), {"problem_type"});
  expect_bad(with("earlybert_heads_per_layer", {4}), {"earlybert_heads_per_layer", "num_hidden_layers"});
  expect_bad(with("earlybert_heads_per_layer", {4, 5}), {"earlybert_heads_per_layer[1]"});
  expect_bad(with("earlybert_heads_per_layer", {0, 4}), {"earlybert_heads_per_layer[0]"});
  expect_bad(with("earlybert_intermediate_sizes", {12, 0}), {"earlybert_intermediate_sizes[1]"});
  expect_bad(with("earlybert_intermediate_sizes", {12, 12, 12}), {"earlybert_intermediate_sizes"});
  expect_bad(with("pruned_heads", {{"5", {1}}}), {"pruned_heads.5", "layer"});
  expect_bad(with("pruned_heads", {{"0", {4}}}), {"pruned_heads.0", "head 4"});
  expect_bad(with("pruned_heads", {{"0", {1, 1}}}), {"pruned_heads.0", "twice"});
  expect_bad(with("pruned_heads", {{"0", {0, 1, 2, 3}}}), {"pruned_heads.0", "every head"});
  json inconsistent = with("pruned_heads", {{"0", {1}}});
  inconsistent["earlybert_heads_per_layer"] = {4, 4};
  expect_bad(inconsistent, {"pruned_heads.0", "earlybert_heads_per_layer"});
  json labels = with("num_labels", 2);
  expect_bad(labels, {"num_labels"});  // id2label says 3
}

TEST(BertConfig, ValidateNamesTheSource) {
  BertConfig c = test::tiny_config();
  c.intermediate_sizes = {5};
  expect_error([&] { c.validate("my model"); }, {"my model", "earlybert_intermediate_sizes"});
}

TEST(BertConfig, Presets) {
  struct Expect {
    const char* name;
    int64_t l, h, a;
  };
  for (const auto& e :
       {Expect{"bert-tiny", 2, 128, 2}, Expect{"bert-mini", 4, 256, 4}, Expect{"bert-small", 4, 512, 8},
        Expect{"bert-medium", 8, 512, 8}, Expect{"bert-base", 12, 768, 12}, Expect{"bert-large", 24, 1024, 16}}) {
    const auto c = BertConfig::preset(e.name);
    EXPECT_EQ(c.num_hidden_layers, e.l) << e.name;
    EXPECT_EQ(c.hidden_size, e.h) << e.name;
    EXPECT_EQ(c.num_attention_heads, e.a) << e.name;
    EXPECT_EQ(c.intermediate_size, 4 * e.h) << e.name;
    EXPECT_EQ(c.vocab_size, 30522) << e.name;
    EXPECT_NO_THROW(c.validate());
  }
  expect_error([] { BertConfig::preset("bert-huge"); }, {"bert-huge", "bert-tiny", "bert-large"});
}

}  // namespace
}  // namespace earlybert
