// Golden outputs with Hugging Face semantics: the tiny Hugging Face BERT of the shared data, loaded by
// earlybert's loader (load_pretrained_model), must reproduce the last hidden state, pooled output and
// logits that scripts/golden/make_hf_golden.py computed for fixed inputs with an independent,
// plain-PyTorch transcription of Hugging Face's BertModel / BertForSequenceClassification forward
// (tests/fixtures/golden/tiny-bert-random-safetensors/). Every other model test compares earlybert
// with itself; this one compares it with Hugging Face's definition of BERT.
//
// The fixture model has no pooler or classifier weights; the script gives them deterministic values
// (head.safetensors, loaded here on top). It lives in tests/io because it needs the loader (the model
// tests link the model objects only).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "earlybert/base/files.h"
#include "earlybert/io/checkpoint.h"
#include "earlybert/io/safetensors.h"
#include "earlybert/model/bert_for_sequence_classification.h"

namespace earlybert {
namespace {

constexpr double kTolerance = 1e-5;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

/// A nested JSON array of numbers as a tensor of that shape.
torch::Tensor tensor_from_json(const nlohmann::json& j, torch::Dtype dtype) {
  std::vector<int64_t> shape;
  for (const nlohmann::json* level = &j; level->is_array(); level = &level->front()) {
    shape.push_back(static_cast<int64_t>(level->size()));
    if (level->empty()) break;
  }
  std::vector<double> values;
  // Depth-first, left to right: row-major order.
  std::function<void(const nlohmann::json&)> flatten = [&](const nlohmann::json& v) {
    if (v.is_array()) {
      for (const auto& e : v) flatten(e);
    } else {
      values.push_back(v.get<double>());
    }
  };
  flatten(j);
  return torch::tensor(values, torch::kFloat64).reshape(shape).to(dtype);
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& expected) {
  EXPECT_EQ(a.sizes(), expected.sizes());
  if (a.sizes() != expected.sizes()) return INFINITY;
  return (a.to(torch::kFloat64) - expected).abs().max().item<double>();
}

TEST(HfGolden, TinyBertMatchesAnIndependentHuggingFaceForward) {
  const std::string shared = env("EARLYBERT_SHARED_DATA");
  const std::string model_dir = join_path(shared, "models/tiny-bert-random-safetensors");
  if (shared.empty() || !path_exists(join_path(model_dir, "model.safetensors")))
    GTEST_SKIP() << "EARLYBERT_SHARED_DATA/models/tiny-bert-random-safetensors is absent";
  const std::string golden_dir = join_path(env("EARLYBERT_FIXTURES"), "golden/tiny-bert-random-safetensors");
  const auto golden = nlohmann::json::parse(read_file(join_path(golden_dir, "golden.json")));
  const int64_t num_labels = golden.at("num_labels").get<int64_t>();

  PretrainedModel loaded = load_pretrained_model(model_dir, ModelKind::SequenceClassification, LoadPolicy::initialise(),
                                                 [&](BertConfig& c) { c.num_labels = num_labels; });
  // The body comes whole from the Hugging Face file; besides the slimming coefficients (which stay at
  // 1.0, the identity) exactly the pooler and the classifier are missing, and the script's
  // head.safetensors provides them.
  const SafetensorsContents head = read_safetensors(join_path(golden_dir, "head.safetensors"));
  std::vector<std::string> missing;
  for (const auto& key : loaded.report.missing_keys)
    if (key.find("slimming") == std::string::npos) missing.push_back(key);
  std::vector<std::string> provided = head.tensors.keys();
  std::sort(missing.begin(), missing.end());
  std::sort(provided.begin(), provided.end());
  EXPECT_EQ(missing, provided) << loaded.report.summary();
  EXPECT_TRUE(loaded.report.unexpected_keys.empty()) << loaded.report.summary();
  auto& model = loaded.model.get<BertForSequenceClassification>();
  const LoadReport head_report = load_state_dict(*model, head.tensors, "head.safetensors");
  EXPECT_EQ(head_report.loaded, static_cast<int64_t>(provided.size())) << head_report.summary();
  EXPECT_TRUE(head_report.unexpected_keys.empty()) << head_report.summary();
  model->eval();

  Batch batch;
  batch.input_ids = tensor_from_json(golden.at("input_ids"), torch::kLong);
  batch.token_type_ids = tensor_from_json(golden.at("token_type_ids"), torch::kLong);
  batch.attention_mask = tensor_from_json(golden.at("attention_mask"), torch::kLong);
  ASSERT_EQ(batch.attention_mask.min().item<int64_t>(), 0) << "the inputs must exercise padding";

  torch::NoGradGuard no_grad;
  const BertModelOutput body = model->bert->forward(batch);
  const SequenceClassifierOutput out = model->forward(batch);
  EXPECT_LE(max_abs_diff(body.sequence_output, tensor_from_json(golden.at("last_hidden_state"), torch::kFloat64)),
            kTolerance);
  EXPECT_LE(max_abs_diff(body.pooled_output, tensor_from_json(golden.at("pooler_output"), torch::kFloat64)),
            kTolerance);
  EXPECT_LE(max_abs_diff(out.logits, tensor_from_json(golden.at("logits"), torch::kFloat64)), kTolerance);
}

}  // namespace
}  // namespace earlybert
