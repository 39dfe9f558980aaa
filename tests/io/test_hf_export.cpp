// Tests for the Hugging Face export: for dense, head-pruned and head+FFN-pruned models of every kind,
// our own model loaded from the exported directory computes what the original computed (≤ 1e-5),
// with slimming coefficients away from 1 so that folding them matters; the exported files have
// Hugging Face's shapes and keys (no coefficients, no earlybert_* fields, complete pruned_heads,
// zero-padded FFN); the keep-pruned layout; and — when Debian's python3-torch is there — an
// independent re-implementation of transformers' loading (scripts/hf_check/hf_bert_reference.py)
// loads the directory strictly and reproduces the logits, and rejects a directory whose
// pruned_heads were removed (so the check can fail).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "earlybert/base/files.h"
#include "earlybert/io/checkpoint.h"
#include "earlybert/io/hf_export.h"
#include "earlybert/io/safetensors.h"
#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/slimming.h"
#include "earlybert/prune/apply_plan.h"
#include "expect_error.h"
#include "python_reference.h"
#include "scratch_dir.h"

namespace fs = std::filesystem;
using namespace earlybert;

namespace {

using test::expect_error;

BertConfig tiny_config() {
  BertConfig c;
  c.vocab_size = 40;
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.intermediate_size = 12;
  c.max_position_embeddings = 32;
  c.num_labels = 3;
  return c;
}

enum class Pruning { Dense, Heads, HeadsAndFfn };

const char* pruning_name(Pruning p) {
  return p == Pruning::Dense ? "dense" : p == Pruning::Heads ? "heads" : "heads_ffn";
}

PruningPlan plan_for(Pruning p) {
  PruningPlan plan;
  std::vector<int64_t> all_neurons(12);
  for (int64_t i = 0; i < 12; ++i) all_neurons[static_cast<size_t>(i)] = i;
  if (p == Pruning::Heads) {
    plan.layers.push_back({4, 12, {0, 2, 3}, all_neurons});
    plan.layers.push_back({4, 12, {1}, all_neurons});
  } else {
    plan.layers.push_back({4, 12, {0, 2, 3}, {1, 4, 5, 9, 10}});
    plan.layers.push_back({4, 12, {1, 2}, {0, 2, 3, 6, 7, 8, 11}});
  }
  return plan;
}

/// A model of `kind` with every parameter moved away from its initialisation and coefficients in
/// [0.5, 1.5] (one negative), pruned as `p` says.
AnyBertModel trained_like(ModelKind kind, Pruning p, uint64_t seed = 3) {
  torch::manual_seed(seed);
  AnyBertModel model = AnyBertModel::create(kind, tiny_config());
  torch::NoGradGuard no_grad;
  for (auto& t : model.module()->parameters()) t.add_(torch::randn_like(t) * 0.05);
  for (auto& l : slimming_coefficients(model.bert())) {
    l.heads.uniform_(0.5, 1.5);
    l.ffn.uniform_(0.5, 1.5);
  }
  slimming_coefficients(model.bert())[1].ffn[3] = -0.7;
  if (p != Pruning::Dense) apply_plan(model, plan_for(p));
  return model;
}

Batch tiny_batch(const BertConfig& c) {
  torch::manual_seed(11);
  const int64_t b = 3, s = 7;
  Batch batch;
  batch.input_ids = torch::randint(1, c.vocab_size, {b, s}, torch::kLong);
  batch.token_type_ids = torch::cat({torch::zeros({b, 3}, torch::kLong), torch::ones({b, s - 3}, torch::kLong)}, 1);
  batch.attention_mask = torch::ones({b, s}, torch::kLong);
  batch.attention_mask[1].narrow(0, s - 2, 2).zero_();
  return batch;
}

/// Every output of the model, eval mode, by Hugging Face output name.
std::vector<std::pair<std::string, torch::Tensor>> outputs(AnyBertModel& m, const Batch& batch) {
  torch::NoGradGuard no_grad;
  m.module()->eval();
  switch (m.kind()) {
    case ModelKind::PreTraining: {  // without labels: vocabulary logits at every position
      auto o = m.get<BertForPreTraining>()->forward(batch);
      return {{"prediction_logits", o.prediction_logits}, {"seq_relationship_logits", o.seq_relationship_logits}};
    }
    case ModelKind::MaskedLM:
      return {{"logits", m.get<BertForMaskedLM>()->forward(batch).logits}};
    case ModelKind::SequenceClassification:
      return {{"logits", m.get<BertForSequenceClassification>()->forward(batch).logits}};
    case ModelKind::QuestionAnswering: {
      auto o = m.get<BertForQuestionAnswering>()->forward(batch);
      return {{"start_logits", o.start_logits}, {"end_logits", o.end_logits}};
    }
    case ModelKind::TokenClassification:
      return {{"logits", m.get<BertForTokenClassification>()->forward(batch).logits}};
  }
  return {};
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  if (a.sizes() != b.sizes()) return 1e30;
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

const ModelKind kKinds[] = {ModelKind::SequenceClassification, ModelKind::TokenClassification,
                            ModelKind::QuestionAnswering, ModelKind::MaskedLM, ModelKind::PreTraining};
const Pruning kPrunings[] = {Pruning::Dense, Pruning::Heads, Pruning::HeadsAndFfn};

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_file(path)); }

}  // namespace

TEST(HfExport, ExportedDirectoryComputesTheSameOutputsForEveryKindAndPruning) {
  const auto root = test::scratch_dir("hf_export_same");
  for (ModelKind kind : kKinds) {
    for (Pruning p : kPrunings) {
      SCOPED_TRACE(architecture_name(kind) + " " + pruning_name(p));
      AnyBertModel model = trained_like(kind, p);
      const auto src = join_path(root, architecture_name(kind) + "_" + pruning_name(p));
      const auto out = src + "_hf";
      save_pretrained(src, model);
      const HfExportSummary summary = export_hf_directory(src, out);
      EXPECT_EQ(summary.config.intermediate_size, 12);
      EXPECT_EQ(summary.folded_coefficients, p == Pruning::Dense ? 2 * 4 + 2 * 12 : p == Pruning::Heads ? 4 + 24 : 17);

      torch::manual_seed(99);  // a different initialisation: everything must come from the files
      PretrainedModel loaded = load_pretrained_model(out, kind, LoadPolicy::initialise());
      // Only the coefficients are missing (they are 1.0 in a fresh model: the identity).
      EXPECT_EQ(loaded.report.missing_keys.size(), loaded.report.missing_slimming_keys().size())
          << loaded.report.summary();
      EXPECT_TRUE(loaded.report.unexpected_keys.empty()) << loaded.report.summary();

      const Batch batch = tiny_batch(tiny_config());
      const auto want = outputs(model, batch);
      const auto got = outputs(loaded.model, batch);
      ASSERT_EQ(want.size(), got.size());
      for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_LE(max_abs_diff(want[i].second, got[i].second), 1e-5) << want[i].first;
      }
    }
  }
}

TEST(HfExport, FilesHaveHuggingFaceShapesAndKeys) {
  const auto root = test::scratch_dir("hf_export_files");
  AnyBertModel model = trained_like(ModelKind::SequenceClassification, Pruning::HeadsAndFfn);
  const auto src = join_path(root, "model"), out = join_path(root, "hf");
  save_pretrained(src, model);
  std::ofstream(join_path(src, "vocab.txt")) << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n";
  const auto summary = export_hf_directory(src, out);
  EXPECT_EQ(summary.files,
            (std::vector<std::string>{"config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json"}));
  EXPECT_EQ(summary.padded_neurons, (12 - 5) + (12 - 7));

  const auto config = read_json(join_path(out, "config.json"));
  for (const auto& item : config.items()) EXPECT_NE(item.key().rfind("earlybert_", 0), 0u) << item.key();
  EXPECT_EQ(config["intermediate_size"], 12);
  EXPECT_EQ(config["num_attention_heads"], 4);
  EXPECT_EQ(config["pruned_heads"], nlohmann::json::parse(R"({"0": [1], "1": [0, 3]})"));
  EXPECT_EQ(config["architectures"], nlohmann::json::parse(R"(["BertForSequenceClassification"])"));
  EXPECT_EQ(config["torch_dtype"], "float32");
  const auto tokenizer = read_json(join_path(out, "tokenizer_config.json"));
  EXPECT_EQ(tokenizer["do_lower_case"], true);
  EXPECT_EQ(tokenizer["tokenizer_class"], "BertTokenizer");
  EXPECT_EQ(read_file(join_path(out, "vocab.txt")), read_file(join_path(src, "vocab.txt")));

  const TensorMap t = read_safetensors(join_path(out, "model.safetensors")).tensors;
  for (const auto& kv : t) EXPECT_EQ(kv.key().find("slimming_coef"), std::string::npos) << kv.key();
  const std::string l0 = "bert.encoder.layer.0.", l1 = "bert.encoder.layer.1.";
  EXPECT_EQ(t[l0 + "attention.self.query.weight"].sizes(), (std::vector<int64_t>{12, 16}));
  EXPECT_EQ(t[l1 + "attention.self.value.bias"].sizes(), (std::vector<int64_t>{8}));
  EXPECT_EQ(t[l1 + "attention.output.dense.weight"].sizes(), (std::vector<int64_t>{16, 8}));
  EXPECT_EQ(t[l0 + "intermediate.dense.weight"].sizes(), (std::vector<int64_t>{12, 16}));
  EXPECT_EQ(t[l0 + "output.dense.weight"].sizes(), (std::vector<int64_t>{16, 12}));
  // The padded neurons are exactly zero; the kept ones are the model's, times their coefficients.
  EXPECT_TRUE(torch::equal(t[l0 + "intermediate.dense.weight"].narrow(0, 5, 7), torch::zeros({7, 16})));
  EXPECT_TRUE(torch::equal(t[l0 + "intermediate.dense.bias"].narrow(0, 5, 7), torch::zeros({7})));
  EXPECT_TRUE(torch::equal(t[l0 + "output.dense.weight"].narrow(1, 5, 7), torch::zeros({16, 7})));
  auto& layer0 = model.bert()->encoder->at(0);
  EXPECT_TRUE(torch::equal(t[l0 + "intermediate.dense.weight"].narrow(0, 0, 5), layer0.intermediate->dense->weight));
  EXPECT_TRUE(torch::allclose(t[l0 + "output.dense.weight"].narrow(1, 0, 5),
                              layer0.output->dense->weight * layer0.slimming_coef));
  EXPECT_TRUE(torch::equal(t["classifier.weight"], model.get<BertForSequenceClassification>()->classifier->weight));
}

TEST(HfExport, HeadPrunedWithoutRecordedNumberingGetsTheLastHeads) {
  auto c = tiny_config();
  c.heads_per_layer = {3, 4};  // built pruned: the original numbering is unknown
  torch::manual_seed(1);
  BertModel model(c);
  const auto exported = hf_export_state(model->config(), module_state(*model));
  EXPECT_EQ(exported.config.pruned_heads.at(0), (std::vector<int64_t>{3}));
  EXPECT_EQ(exported.config.pruned_heads.count(1), 0u);
  EXPECT_FALSE(exported.config.slimming);
  // A bare BertModel's keys have no "bert." prefix; they come through too.
  EXPECT_TRUE(exported.tensors.contains("encoder.layer.0.attention.self.query.weight"));
  EXPECT_FALSE(exported.tensors.contains("encoder.layer.0.slimming_coef"));
}

TEST(HfExport, KeepPrunedKeepsTheCompactLayout) {
  const auto root = test::scratch_dir("hf_export_keep");
  AnyBertModel model = trained_like(ModelKind::QuestionAnswering, Pruning::HeadsAndFfn);
  const auto src = join_path(root, "model"), out = join_path(root, "compact");
  save_pretrained(src, model);
  HfExportOptions options;
  options.keep_pruned = true;
  export_hf_directory(src, out, options);
  const BertConfig config = load_pretrained(out);
  EXPECT_EQ(config.intermediate_sizes, (std::vector<int64_t>{5, 7}));
  EXPECT_EQ(config.heads_per_layer, (std::vector<int64_t>{3, 2}));
  EXPECT_FALSE(config.slimming);
  // No coefficients in the model either: everything loads exactly.
  PretrainedModel loaded = load_pretrained_model(out, ModelKind::QuestionAnswering, LoadPolicy::exact());
  EXPECT_TRUE(loaded.report.exact()) << loaded.report.summary();
  const Batch batch = tiny_batch(tiny_config());
  const auto want = outputs(model, batch), got = outputs(loaded.model, batch);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_LE(max_abs_diff(want[i].second, got[i].second), 1e-5);
}

TEST(HfExport, RefusesToOverwriteOrExportIntoItself) {
  const auto root = test::scratch_dir("hf_export_refuse");
  AnyBertModel model = trained_like(ModelKind::SequenceClassification, Pruning::Dense);
  const auto src = join_path(root, "model"), out = join_path(root, "busy");
  save_pretrained(src, model);
  expect_error([&] { export_hf_directory(src, src); }, {src, "model directory itself"});
  fs::create_directories(out);
  std::ofstream(join_path(out, "notes.txt")) << "keep me";
  expect_error([&] { export_hf_directory(src, out); }, {out, "not empty"});
  EXPECT_TRUE(fs::exists(join_path(out, "notes.txt")));
  HfExportOptions options;
  options.overwrite = true;
  export_hf_directory(src, out, options);
  EXPECT_FALSE(fs::exists(join_path(out, "notes.txt")));
  EXPECT_TRUE(fs::exists(join_path(out, "model.safetensors")));
  // Nothing but the two directories is left behind (no temporary directory).
  EXPECT_EQ(std::distance(fs::directory_iterator(root), fs::directory_iterator()), 2);
}

TEST(HfExport, ShapeThatDoesNotMatchTheConfigIsAnError) {
  torch::manual_seed(1);
  BertModel model(tiny_config());
  auto config = model->config();
  config.heads_per_layer = {3, 4};
  expect_error([&] { hf_export_state(config, module_state(*model)); },
               {"encoder.layer.0.attention.self.query.weight", "does not match the config"});
}

// The independent check: transformers' loading rules re-implemented in Python with PyTorch.
TEST(HfExport, IndependentPythonReferenceLoadsTheDirectoryAndAgrees) {
  if (!test::python_torch_available()) GTEST_SKIP() << "no " << test::reference_python() << " with torch";
  const auto root = test::scratch_dir("hf_export_python");
  const std::string script = test::project_script("hf_check/hf_bert_reference.py");
  ASSERT_TRUE(fs::exists(script)) << script;
  std::string pairs;  // one Python run for every directory (torch takes seconds to import)
  for (ModelKind kind :
       {ModelKind::SequenceClassification, ModelKind::TokenClassification, ModelKind::QuestionAnswering}) {
    for (Pruning p : kPrunings) {
      AnyBertModel model = trained_like(kind, p, 17);
      const auto src = join_path(root, architecture_name(kind) + "_" + pruning_name(p));
      const auto out = src + "_hf";
      save_pretrained(src, model);
      export_hf_directory(src, out);
      const Batch batch = tiny_batch(tiny_config());
      TensorMap expected;
      expected.insert("input_ids", batch.input_ids);
      expected.insert("token_type_ids", batch.token_type_ids);
      expected.insert("attention_mask", batch.attention_mask);
      for (auto& [name, value] : outputs(model, batch)) expected.insert(name, value.contiguous());
      const auto expected_path = src + "_expected.safetensors";
      write_safetensors(expected_path, expected);
      pairs += " " + out + " " + expected_path;
    }
  }
  const std::string log = join_path(root, "python.log");
  const int rc = test::run_logged(std::string(test::reference_python()) + " " + script + pairs, log);
  EXPECT_EQ(rc, 0) << read_file(log);
  // Every directory was compared (3 kinds x 3 prunings), not skipped; QA compares two outputs.
  const std::string text = read_file(log);
  size_t compared = 0;
  for (size_t at = text.find("max |difference|"); at != std::string::npos; at = text.find("max |difference|", at + 1)) {
    ++compared;
  }
  EXPECT_EQ(compared, 3u + 3u + 2u * 3u) << text;

  // The check can fail: without pruned_heads the smaller matrices do not fit a fresh model.
  const auto broken = join_path(root, "BertForSequenceClassification_heads_hf");
  auto config = nlohmann::json::parse(read_file(join_path(broken, "config.json")));
  config.erase("pruned_heads");
  write_file_atomic(join_path(broken, "config.json"), config.dump(2));
  const std::string broken_log = broken + "_python_broken.log";
  EXPECT_EQ(test::run_logged(std::string(test::reference_python()) + " " + script + " " + broken + " " +
                                 join_path(root, "BertForSequenceClassification_heads_expected.safetensors"),
                             broken_log),
            1)
      << read_file(broken_log);
  EXPECT_NE(read_file(broken_log).find("does not load"), std::string::npos) << read_file(broken_log);
}
