// Tests for checkpoint directories and state-dict loading: bit-exact save/load round trips of every
// model kind (pruned ones included), the Hugging Face fixture loading into the encoder and into a
// task model, Hugging Face naming rules (prefix, gamma/beta, buffers, tied decoder), load policies,
// and the errors for shape and config mismatches and broken directories.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/io/checkpoint.h"
#include "earlybert/io/safetensors.h"
#include "earlybert/model/any_bert_model.h"
#include "earlybert/model/slimming.h"
#include "earlybert/prune/apply_plan.h"
#include "earlybert/prune/pruning_plan.h"
#include "expect_error.h"
#include "scratch_dir.h"

namespace fs = std::filesystem;
using namespace earlybert;

namespace {

std::string scratch(const std::string& name) { return test::scratch_dir("test_checkpoint_" + name); }

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

Batch tiny_batch(const BertConfig& c) {
  torch::manual_seed(11);
  const int64_t b = 3, s = 7;
  Batch batch;
  batch.input_ids = torch::randint(1, c.vocab_size, {b, s}, torch::kLong);
  batch.token_type_ids = torch::cat({torch::zeros({b, 3}, torch::kLong), torch::ones({b, s - 3}, torch::kLong)}, 1);
  batch.attention_mask = torch::ones({b, s}, torch::kLong);
  batch.attention_mask[1].narrow(0, s - 2, 2).zero_();
  batch.labels = torch::full({b, s}, -100, torch::kLong);
  batch.labels.select(1, 2).copy_(batch.input_ids.select(1, 2));
  batch.next_sentence_label = torch::tensor({0, 1, 0}, torch::kLong);
  batch.start_positions = torch::tensor({1, 2, 0}, torch::kLong);
  batch.end_positions = torch::tensor({3, 2, 4}, torch::kLong);
  return batch;
}

/// Moves every parameter away from its initial value (so that biases, LayerNorm and slimming
/// coefficients are really carried by the file, not recreated by the constructor).
void perturb(torch::nn::Module& module, uint64_t seed) {
  torch::manual_seed(seed);
  torch::NoGradGuard no_grad;
  for (auto& p : module.parameters()) p.add_(torch::randn_like(p) * 0.05);
}

/// Batch labels that fit the kind (classification labels are class ids).
Batch batch_for(ModelKind kind, const BertConfig& c) {
  Batch batch = tiny_batch(c);
  if (kind == ModelKind::SequenceClassification) batch.labels = torch::tensor({0, 2, 1}, torch::kLong);
  return batch;
}

/// Eval-mode body output and loss.
std::pair<torch::Tensor, torch::Tensor> outputs(AnyBertModel& model, const Batch& batch) {
  torch::NoGradGuard no_grad;
  model.module()->eval();
  return {model.bert()->forward(batch).sequence_output, model.loss(batch)};
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

const ModelKind kAllKinds[] = {ModelKind::PreTraining, ModelKind::MaskedLM, ModelKind::SequenceClassification,
                               ModelKind::QuestionAnswering};

/// The Hugging Face fixture directory, or "" (and the test skips) when the shared data is absent.
std::string hf_fixture() {
  const char* shared = std::getenv("EARLYBERT_SHARED_DATA");
  if (shared == nullptr) return "";
  const std::string dir = join_path(shared, "models/tiny-bert-random-safetensors");
  return fs::exists(join_path(dir, "model.safetensors")) ? dir : "";
}

}  // namespace

TEST(Checkpoint, SaveLoadRoundTripIsBitExactForEveryKind) {
  const auto root = scratch("roundtrip");
  for (ModelKind kind : kAllKinds) {
    SCOPED_TRACE(architecture_name(kind));
    torch::manual_seed(1);
    AnyBertModel model = AnyBertModel::create(kind, tiny_config());
    perturb(*model.module(), 2);
    const auto dir = join_path(root, architecture_name(kind));
    save_pretrained(dir, model);
    EXPECT_TRUE(fs::exists(join_path(dir, "config.json")));
    EXPECT_TRUE(fs::exists(join_path(dir, "model.safetensors")));
    EXPECT_EQ(load_pretrained(dir).architectures, std::vector<std::string>{architecture_name(kind)});

    torch::manual_seed(99);  // a different initialisation: everything must come from the file
    PretrainedModel loaded = load_pretrained_model(dir, kind, LoadPolicy::exact());
    EXPECT_TRUE(loaded.report.exact()) << loaded.report.summary();
    EXPECT_TRUE(loaded.report.ignored_keys.empty());
    EXPECT_TRUE(loaded.report.renamed_keys.empty());
    EXPECT_EQ(loaded.report.loaded, static_cast<int64_t>(module_state(*model.module()).size()));
    EXPECT_EQ(loaded.model.kind(), kind);
    EXPECT_EQ(loaded.model.config().num_labels, 3);

    const Batch batch = batch_for(kind, tiny_config());
    const auto [seq_a, loss_a] = outputs(model, batch);
    const auto [seq_b, loss_b] = outputs(loaded.model, batch);
    EXPECT_TRUE(torch::equal(seq_a, seq_b));
    EXPECT_TRUE(torch::equal(loss_a, loss_b));
    // The slimming coefficients came from the file (perturbed away from 1.0).
    const auto coef = slimming_coefficients(loaded.model.bert());
    EXPECT_TRUE(torch::equal(coef[1].ffn, slimming_coefficients(model.bert())[1].ffn));
    EXPECT_FALSE(torch::equal(coef[1].ffn, torch::ones_like(coef[1].ffn)));
  }
  // Only the committed directories remain: no temporary or replaced directory is left behind.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(root)) names.push_back(e.path().filename().string());
  EXPECT_EQ(sorted(names), sorted({"BertForPreTraining", "BertForMaskedLM", "BertForSequenceClassification",
                                   "BertForQuestionAnswering"}));
}

TEST(Checkpoint, SavingAgainReplacesTheDirectory) {
  const auto root = scratch("replace");
  const auto dir = join_path(root, "ckpt");
  torch::manual_seed(3);
  BertModel first(tiny_config());
  save_pretrained(dir + "/", first);  // a trailing slash is fine
  std::ofstream(join_path(dir, "stale.txt")) << "from the first save";
  BertModel second(tiny_config());
  perturb(*second, 4);
  save_pretrained(dir, second);
  EXPECT_FALSE(fs::exists(join_path(dir, "stale.txt")));
  EXPECT_EQ(std::distance(fs::directory_iterator(root), fs::directory_iterator()), 1);

  BertModel back(tiny_config());
  const LoadReport report = load_weights(dir, back);
  EXPECT_TRUE(report.exact()) << report.summary();
  EXPECT_TRUE(torch::equal(back->encoder->named_parameters()["layer.1.output.dense.weight"],
                           second->encoder->named_parameters()["layer.1.output.dense.weight"]));
}

TEST(Checkpoint, PrunedModelGetsItsShapesBackFromConfig) {
  const auto root = scratch("pruned");
  PruningPlan plan;
  plan.layers.push_back({4, 12, {0, 2}, {1, 3, 5, 7, 9}});
  plan.layers.push_back({4, 12, {1, 2, 3}, {0, 1, 2, 3, 4, 5, 11}});
  for (ModelKind kind : kAllKinds) {
    SCOPED_TRACE(architecture_name(kind));
    torch::manual_seed(5);
    AnyBertModel model = AnyBertModel::create(kind, tiny_config());
    perturb(*model.module(), 6);
    apply_plan(model, plan);
    const auto dir = join_path(root, architecture_name(kind));
    save_pretrained(dir, model);

    const BertConfig config = load_pretrained(dir);
    EXPECT_EQ(config.heads_per_layer, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(config.intermediate_sizes, (std::vector<int64_t>{5, 7}));
    PretrainedModel loaded = load_pretrained_model(dir, kind, LoadPolicy::exact());
    EXPECT_TRUE(loaded.report.exact()) << loaded.report.summary();
    const std::string p = "bert.";  // every kind wraps the encoder as `bert`
    const TensorMap state = module_state(*loaded.model.module());
    EXPECT_EQ(state[p + "encoder.layer.0.attention.self.query.weight"].sizes(), (std::vector<int64_t>{8, 16}));
    EXPECT_EQ(state[p + "encoder.layer.1.attention.output.dense.weight"].sizes(), (std::vector<int64_t>{16, 12}));
    EXPECT_EQ(state[p + "encoder.layer.1.intermediate.dense.weight"].sizes(), (std::vector<int64_t>{7, 16}));
    EXPECT_EQ(state[p + "encoder.layer.0.slimming_coef"].sizes(), (std::vector<int64_t>{5}));

    const Batch batch = batch_for(kind, tiny_config());
    const auto [seq_a, loss_a] = outputs(model, batch);
    const auto [seq_b, loss_b] = outputs(loaded.model, batch);
    EXPECT_TRUE(torch::equal(seq_a, seq_b));
    EXPECT_TRUE(torch::equal(loss_a, loss_b));

    // The pruned weights do not fit an unpruned model: the config check says which field differs.
    AnyBertModel dense = AnyBertModel::create(kind, tiny_config());
    expect_error([&] { load_weights(dir, dense); },
                 {join_path(dir, "config.json"), "earlybert_heads_per_layer[0]", "has 2", "has 4"});
  }
}

TEST(Checkpoint, HuggingFaceFixtureLoadsIntoTheEncoder) {
  const std::string dir = hf_fixture();
  if (dir.empty()) GTEST_SKIP() << "EARLYBERT_SHARED_DATA/models/tiny-bert-random-safetensors is absent";
  const BertConfig config = load_pretrained(dir);
  EXPECT_EQ(config.hidden_size, 32);
  EXPECT_EQ(config.num_hidden_layers, 2);
  EXPECT_EQ(config.vocab_size, 256);

  BertModel model(config);  // with a pooler, which the file lacks
  const LoadReport report = load_weights(dir, model);
  EXPECT_EQ(report.loaded, 37);
  EXPECT_TRUE(report.unexpected_keys.empty()) << report.summary();
  EXPECT_TRUE(report.renamed_keys.empty());
  EXPECT_EQ(sorted(report.missing_keys),
            sorted({"pooler.dense.weight", "pooler.dense.bias", "encoder.layer.0.attention.self.slimming_coef",
                    "encoder.layer.0.slimming_coef", "encoder.layer.1.attention.self.slimming_coef",
                    "encoder.layer.1.slimming_coef"}));
  EXPECT_EQ(report.missing_slimming_keys().size(), 4u);
  EXPECT_EQ(sorted(report.missing_head_keys()), sorted({"pooler.dense.weight", "pooler.dense.bias"}));
  EXPECT_TRUE(report.missing_body_keys().empty());

  const SafetensorsContents file = read_pretrained_weights(dir);
  EXPECT_TRUE(
      torch::equal(model->embeddings->word_embeddings->weight, file.tensors["embeddings.word_embeddings.weight"]));
  EXPECT_TRUE(torch::equal(model->encoder->named_parameters()["layer.1.output.LayerNorm.weight"],
                           file.tensors["encoder.layer.1.output.LayerNorm.weight"]));
  // Coefficients keep their initial 1.0.
  for (const auto& layer : slimming_coefficients(model)) {
    EXPECT_TRUE(torch::equal(layer.heads, torch::ones_like(layer.heads)));
    EXPECT_TRUE(torch::equal(layer.ffn, torch::ones_like(layer.ffn)));
  }
  // Without a pooler (as Hugging Face builds masked-LM models) only the coefficients are missing.
  BertModel no_pooler(config, /*add_pooling_layer=*/false);
  EXPECT_EQ(load_weights(dir, no_pooler).missing_keys.size(), 4u);

  torch::NoGradGuard no_grad;
  model->eval();
  const auto ids = torch::randint(0, 256, {2, 9}, torch::kLong);
  EXPECT_TRUE(torch::isfinite(model->forward(ids).sequence_output).all().item<bool>());
}

TEST(Checkpoint, HuggingFaceFixtureLoadsIntoAClassifier) {
  const std::string dir = hf_fixture();
  if (dir.empty()) GTEST_SKIP() << "EARLYBERT_SHARED_DATA/models/tiny-bert-random-safetensors is absent";
  PretrainedModel loaded = load_pretrained_model(dir, ModelKind::SequenceClassification, LoadPolicy::initialise(),
                                                 [](BertConfig& c) { c.num_labels = 5; });
  const LoadReport& report = loaded.report;
  EXPECT_EQ(report.loaded, 37);
  EXPECT_EQ(report.renamed_keys.size(), 37u);  // every key gained "bert."
  EXPECT_EQ(report.renamed_keys.front().second, "bert." + report.renamed_keys.front().first);
  EXPECT_TRUE(report.unexpected_keys.empty());
  EXPECT_EQ(sorted(report.missing_keys),
            sorted({"bert.pooler.dense.weight", "bert.pooler.dense.bias", "classifier.weight", "classifier.bias",
                    "bert.encoder.layer.0.attention.self.slimming_coef", "bert.encoder.layer.0.slimming_coef",
                    "bert.encoder.layer.1.attention.self.slimming_coef", "bert.encoder.layer.1.slimming_coef"}));
  const auto& clf = loaded.model.get<BertForSequenceClassification>();
  EXPECT_EQ(clf->classifier->weight.sizes(), (std::vector<int64_t>{5, 32}));
  const SafetensorsContents file = read_pretrained_weights(dir);
  EXPECT_TRUE(torch::equal(clf->bert->embeddings->position_embeddings->weight,
                           file.tensors["embeddings.position_embeddings.weight"]));

  // The caller chooses how strict to be.
  const std::string source = join_path(dir, "model.safetensors");
  report.enforce(LoadPolicy::initialise(), source);
  expect_error([&] { report.enforce(LoadPolicy{}, source); }, {source, "head weights missing", "classifier.weight"});
  expect_error([&] { report.enforce(LoadPolicy::exact(), source); },
               {source, "slimming coefficients missing", "bert.encoder.layer.0.slimming_coef"});
  // ... and exact() refuses it through load_pretrained_model too.
  expect_error([&] { load_pretrained_model(dir, ModelKind::SequenceClassification, LoadPolicy::exact()); },
               {source, "classifier.weight"});
}

TEST(Checkpoint, ShapeMismatchIsAnErrorAndLeavesTheModelUntouched) {
  const std::string dir = hf_fixture();
  if (dir.empty()) GTEST_SKIP() << "EARLYBERT_SHARED_DATA/models/tiny-bert-random-safetensors is absent";
  BertConfig wide = load_pretrained(dir);
  wide.hidden_size = 64;
  BertModel model(wide);
  const torch::Tensor before = model->embeddings->word_embeddings->weight.clone();
  const SafetensorsContents file = read_pretrained_weights(dir);
  const std::string source = join_path(dir, "model.safetensors");
  // Directly (no config to compare): the first tensor whose shape differs is named with both
  // shapes.
  expect_error([&] { load_state_dict(*model, file.tensors, source); },
               {source, "key 'embeddings.LayerNorm.bias'", "[32]", "[64]"});
  EXPECT_TRUE(torch::equal(model->embeddings->word_embeddings->weight, before));
  EXPECT_TRUE(torch::equal(model->embeddings->LayerNorm->weight, torch::ones({64})));
  // Through the directory: config.json is compared first.
  expect_error([&] { load_weights(dir, model); }, {join_path(dir, "config.json"), "'hidden_size'", "32", "64"});
  // The vocabulary / checkpoint mismatch.
  BertConfig other_vocab = load_pretrained(dir);
  other_vocab.vocab_size = 30522;
  AnyBertModel clf = AnyBertModel::create(ModelKind::SequenceClassification, other_vocab);
  expect_error([&] { load_weights(dir, clf); }, {"config.json", "'vocab_size'", "256", "30522"});
  expect_error(
      [&] {
        load_pretrained_model(dir, ModelKind::MaskedLM, LoadPolicy::initialise(),
                              [](BertConfig& c) { c.vocab_size = 100; });
      },
      {"config.json", "'vocab_size'", "256", "100"});
}

TEST(Checkpoint, VocabularyMustFitTheCheckpoint) {
  BertConfig config = tiny_config();  // vocab_size 40
  require_vocab_fits(40, "vocab.txt", config, "ckpt/config.json");
  require_vocab_fits(33, "vocab.txt", config, "ckpt/config.json");  // padded embedding table
  expect_error([&] { require_vocab_fits(41, "vocab.txt", config, "ckpt/config.json"); },
               {"vocab.txt", "41 tokens", "ckpt/config.json", "vocab_size 40"});
}

TEST(Checkpoint, PrefixedFileIntoTheBareEncoder) {
  const auto root = scratch("strip");
  torch::manual_seed(7);
  AnyBertModel clf = AnyBertModel::create(ModelKind::SequenceClassification, tiny_config());
  perturb(*clf.module(), 8);
  save_pretrained(join_path(root, "clf"), clf);

  BertModel bare(tiny_config());
  const LoadReport report = load_weights(join_path(root, "clf"), bare);
  EXPECT_TRUE(report.missing_keys.empty()) << report.summary();
  EXPECT_EQ(sorted(report.unexpected_keys), sorted({"classifier.bias", "classifier.weight"}));
  EXPECT_EQ(report.loaded, static_cast<int64_t>(module_state(*bare).size()));
  const TensorMap ours = module_state(*bare);
  const TensorMap theirs = module_state(*clf.bert());
  for (const auto& kv : theirs) EXPECT_TRUE(torch::equal(kv.value(), ours[kv.key()])) << kv.key();
  expect_error([&] { report.enforce(LoadPolicy::exact(), "x.safetensors"); },
               {"x.safetensors", "unexpected", "classifier.weight"});
}

TEST(Checkpoint, LegacyNamesBuffersAndTiedDecoder) {
  torch::manual_seed(9);
  AnyBertModel model = AnyBertModel::create(ModelKind::PreTraining, tiny_config());
  perturb(*model.module(), 10);
  const TensorMap state = module_state(*model.module());

  // A TensorFlow-era file: gamma/beta, position_ids, and the decoder instead of the word
  // embeddings.
  TensorMap file;
  for (const auto& kv : state) {
    std::string key = kv.key();
    if (key == "bert.embeddings.word_embeddings.weight") key = "cls.predictions.decoder.weight";
    if (key.size() > 17 && key.compare(key.size() - 17, 17, ".LayerNorm.weight") == 0) {
      key = key.substr(0, key.size() - 7) + ".gamma";
    }
    if (key.size() > 15 && key.compare(key.size() - 15, 15, ".LayerNorm.bias") == 0) {
      key = key.substr(0, key.size() - 5) + ".beta";
    }
    file.insert(key, kv.value().clone());
  }
  file.insert("bert.embeddings.position_ids", torch::arange(32, torch::kLong).unsqueeze(0));

  torch::manual_seed(77);
  AnyBertModel fresh = AnyBertModel::create(ModelKind::PreTraining, tiny_config());
  const LoadReport report = load_state_dict(*fresh.module(), file, "legacy.safetensors");
  EXPECT_TRUE(report.exact()) << report.summary();
  EXPECT_EQ(report.ignored_keys, std::vector<std::string>{"bert.embeddings.position_ids"});
  const TensorMap loaded = module_state(*fresh.module());
  for (const auto& kv : state) EXPECT_TRUE(torch::equal(kv.value(), loaded[kv.key()])) << kv.key();
  const auto renamed = report.renamed_keys;
  EXPECT_NE(std::find(renamed.begin(), renamed.end(),
                      std::make_pair(std::string("cls.predictions.decoder.weight"),
                                     std::string("bert.embeddings.word_embeddings.weight"))),
            renamed.end());
  EXPECT_NE(std::find(renamed.begin(), renamed.end(),
                      std::make_pair(std::string("bert.embeddings.LayerNorm.gamma"),
                                     std::string("bert.embeddings.LayerNorm.weight"))),
            renamed.end());

  // With the word embeddings present as well, the tied aliases are redundant and ignored.
  TensorMap both = state;
  both.insert("cls.predictions.decoder.weight", state["bert.embeddings.word_embeddings.weight"]);
  both.insert("cls.predictions.decoder.bias", state["cls.predictions.bias"]);
  const LoadReport r2 = load_state_dict(*fresh.module(), both, "tied.safetensors");
  EXPECT_TRUE(r2.exact()) << r2.summary();
  EXPECT_EQ(sorted(r2.ignored_keys), sorted({"cls.predictions.decoder.bias", "cls.predictions.decoder.weight"}));

  // Two file tensors for one parameter is an error.
  TensorMap twice = state;
  twice.insert("bert.embeddings.LayerNorm.gamma", state["bert.embeddings.LayerNorm.weight"]);
  expect_error([&] { load_state_dict(*fresh.module(), twice, "twice.safetensors"); },
               {"twice.safetensors", "bert.embeddings.LayerNorm.gamma", "bert.embeddings.LayerNorm.weight"});
}

TEST(Checkpoint, MissingBodyWeightIsNeverAccepted) {
  torch::manual_seed(12);
  BertModel model(tiny_config());
  TensorMap file = module_state(*model);
  TensorMap partial;
  for (const auto& kv : file) {
    if (kv.key() != "encoder.layer.1.output.dense.weight") partial.insert(kv.key(), kv.value());
  }
  BertModel fresh(tiny_config());
  const LoadReport report = load_state_dict(*fresh, partial, "partial.safetensors");
  EXPECT_EQ(report.missing_body_keys(), std::vector<std::string>{"encoder.layer.1.output.dense.weight"});
  expect_error([&] { report.enforce(LoadPolicy::initialise(), "partial.safetensors"); },
               {"partial.safetensors", "body weights missing", "encoder.layer.1.output.dense.weight"});
}

TEST(Checkpoint, TensorsAreConvertedToTheParameterDtype) {
  const auto root = scratch("dtype");
  torch::manual_seed(13);
  BertModel model(tiny_config());
  perturb(*model, 14);
  TensorMap half;
  for (const auto& kv : module_state(*model)) half.insert(kv.key(), kv.value().to(torch::kBFloat16));
  const auto path = join_path(root, "bf16.safetensors");
  write_safetensors(path, half);

  BertModel fresh(tiny_config());
  const LoadReport report = load_state_dict(*fresh, read_safetensors(path).tensors, path);
  EXPECT_TRUE(report.exact()) << report.summary();
  for (const auto& kv : module_state(*fresh)) {
    EXPECT_EQ(kv.value().scalar_type(), torch::kFloat32) << kv.key();
    EXPECT_TRUE(torch::equal(kv.value(), half[kv.key()].to(torch::kFloat32))) << kv.key();
  }
}

TEST(Checkpoint, BrokenDirectoriesAreErrorsNamingThePath) {
  const auto root = scratch("broken");
  torch::manual_seed(15);
  BertModel model(tiny_config());
  const auto good = join_path(root, "good");
  save_pretrained(good, model);
  auto copy_of_good = [&](const std::string& name) {
    const auto dir = join_path(root, name);
    fs::copy(good, dir);
    return dir;
  };
  auto cls = ModelKind::SequenceClassification;

  const auto absent = join_path(root, "absent");
  expect_error([&] { load_pretrained(absent); }, {absent, "does not exist"});
  expect_error([&] { load_pretrained(join_path(good, "config.json")); }, {"config.json", "not a checkpoint directory"});

  const auto no_config = copy_of_good("no_config");
  fs::remove(join_path(no_config, "config.json"));
  expect_error([&] { load_pretrained_model(no_config, cls); }, {join_path(no_config, "config.json"), "missing"});

  const auto no_weights = copy_of_good("no_weights");
  fs::remove(join_path(no_weights, "model.safetensors"));
  expect_error([&] { load_pretrained_model(no_weights, cls); },
               {join_path(no_weights, "model.safetensors"), "missing"});

  const auto truncated = copy_of_good("truncated");
  const auto weights = join_path(truncated, "model.safetensors");
  fs::resize_file(weights, fs::file_size(weights) - 3);
  expect_error([&] { load_pretrained_model(truncated, cls); }, {weights, "past the end"});

  const auto garbage = copy_of_good("garbage");
  std::ofstream(join_path(garbage, "model.safetensors"), std::ios::trunc) << "not a safetensors file at all";
  expect_error([&] { load_pretrained_model(garbage, cls); }, {join_path(garbage, "model.safetensors")});

  // config.json with a missing and with a wrongly typed field (the parser is the model's; this is
  // the path through load_pretrained).
  const std::string text = read_file(join_path(good, "config.json"));
  const auto no_layers = copy_of_good("no_layers");
  std::string without = text;
  const auto at = without.find("\"num_hidden_layers\"");
  ASSERT_NE(at, std::string::npos);
  without.erase(at, without.find('\n', at) - at + 1);
  write_file_atomic(join_path(no_layers, "config.json"), without);
  expect_error([&] { load_pretrained_model(no_layers, cls); },
               {join_path(no_layers, "config.json"), "num_hidden_layers", "missing"});

  const auto wrong_type = copy_of_good("wrong_type");
  std::string typed = text;
  const auto h = typed.find("\"hidden_size\": 16");
  ASSERT_NE(h, std::string::npos) << text;
  typed.replace(h, 17, "\"hidden_size\": \"16\"");
  write_file_atomic(join_path(wrong_type, "config.json"), typed);
  expect_error([&] { load_pretrained(wrong_type); }, {join_path(wrong_type, "config.json"), "hidden_size"});

  // Without model.safetensors, pytorch_model.bin is read (io/pytorch_bin.h); a broken one is an
  // error naming it.
  const auto pickled = copy_of_good("pickled");
  fs::remove(join_path(pickled, "model.safetensors"));
  std::ofstream(join_path(pickled, "pytorch_model.bin")) << "PK";
  expect_error([&] { read_pretrained_weights(pickled); },
               {join_path(pickled, "pytorch_model.bin"), "not a torch.save zip archive"});
}

TEST(Checkpoint, LoadsIntoAndSavesFromCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const auto root = scratch("cuda");
  torch::manual_seed(16);
  AnyBertModel model = AnyBertModel::create(ModelKind::QuestionAnswering, tiny_config());
  perturb(*model.module(), 17);
  const TensorMap cpu_state = module_state(*model.module());
  TensorMap expected;
  for (const auto& kv : cpu_state) expected.insert(kv.key(), kv.value().clone());
  model.module()->to(torch::kCUDA);
  save_pretrained(join_path(root, "qa"), model);  // written from device memory

  AnyBertModel fresh = AnyBertModel::create(ModelKind::QuestionAnswering, tiny_config());
  fresh.module()->to(torch::kCUDA);
  const LoadReport report = load_weights(join_path(root, "qa"), fresh);
  EXPECT_TRUE(report.exact()) << report.summary();
  for (const auto& kv : module_state(*fresh.module())) {
    EXPECT_TRUE(kv.value().is_cuda()) << kv.key();
    EXPECT_TRUE(torch::equal(kv.value().cpu(), expected[kv.key()])) << kv.key();
  }
}
