// Tests for reading torch.save() checkpoints (pytorch_model.bin) and sharded checkpoints, against
// PyTorch itself: scripts/hf_check/make_torch_fixtures.py (Debian's python3-torch) writes the .bin
// files and, next to them, the tensors they must yield; the NER fixture of the shared data loads
// through pytorch_model.bin into BertForTokenClassification exactly as the safetensors conversion
// PyTorch made of it does. Tests that need Python or the shared data skip without them; the error
// paths that need neither always run.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "earlybert/base/files.h"
#include "earlybert/io/checkpoint.h"
#include "earlybert/io/pytorch_bin.h"
#include "earlybert/io/safetensors.h"
#include "earlybert/io/weight_files.h"
#include "earlybert/model/any_bert_model.h"
#include "expect_error.h"
#include "python_reference.h"
#include "scratch_dir.h"

namespace fs = std::filesystem;
using namespace earlybert;

namespace {

using test::expect_error;

std::string ner_fixture() {
  const char* shared = std::getenv("EARLYBERT_SHARED_DATA");
  if (shared == nullptr) return "";
  const std::string dir = join_path(shared, "models/tiny-bert-ner-random-pytorch");
  return fs::exists(join_path(dir, "pytorch_model.bin")) ? dir : "";
}

/// The fixtures make_torch_fixtures.py writes (the NER conversion included when the shared data is
/// there), made once per process; "" when Python with torch is missing.
const std::string& python_fixtures() {
  static const std::string dir = []() -> std::string {
    if (!test::python_torch_available()) return "";
    const auto out = test::scratch_dir("pytorch_bin_fixtures");
    const std::string ner = ner_fixture();
    const std::string log = join_path(out, "make.log");
    const int rc = test::run_logged(std::string(test::reference_python()) + " " +
                                        test::project_script("hf_check/make_torch_fixtures.py") + " " + out +
                                        (ner.empty() ? "" : " " + join_path(ner, "pytorch_model.bin")),
                                    log);
    EXPECT_EQ(rc, 0) << read_file(log);
    return rc == 0 ? out : "";
  }();
  return dir;
}

/// Same names (in any order: safetensors files are sorted by name), dtypes and values.
void expect_same_tensors(const TensorMap& got, const TensorMap& want) {
  ASSERT_EQ(got.size(), want.size());
  for (const auto& kv : want) {
    SCOPED_TRACE(kv.key());
    ASSERT_TRUE(got.contains(kv.key()));
    const auto& g = got[kv.key()];
    EXPECT_EQ(g.scalar_type(), kv.value().scalar_type());
    EXPECT_TRUE(g.is_contiguous());
    EXPECT_TRUE(torch::equal(g, kv.value()));
  }
}

}  // namespace

TEST(PytorchBin, EveryDtypeViewsSharedStoragesAndParametersMatchPyTorch) {
  const auto& dir = python_fixtures();
  if (dir.empty()) GTEST_SKIP() << "no " << test::reference_python() << " with torch";
  const TensorMap want = read_safetensors(join_path(dir, "dtypes.safetensors")).tensors;
  expect_same_tensors(read_pytorch_bin(join_path(dir, "dtypes.bin")), want);
  expect_same_tensors(read_pytorch_bin(join_path(dir, "protocol4.bin")), want);
  // The file's order is kept, and views of one storage come back as independent tensors.
  const TensorMap got = read_pytorch_bin(join_path(dir, "dtypes.bin"));
  EXPECT_EQ(got.keys(), (std::vector<std::string>{"f32", "f64", "f16", "bf16", "i64", "i32", "i16", "i8", "u8", "bool",
                                                  "transposed", "rows", "param", "scalar", "empty"}));
  EXPECT_NE(got["transposed"].data_ptr(), got["rows"].data_ptr());
}

TEST(PytorchBin, ShardedIndexMergesItsShards) {
  const auto& dir = python_fixtures();
  if (dir.empty()) GTEST_SKIP() << "no " << test::reference_python() << " with torch";
  // A copy, since the index is broken on purpose below.
  const auto sharded = join_path(test::scratch_dir("pytorch_bin_sharded"), "sharded");
  fs::copy(join_path(dir, "sharded"), sharded, fs::copy_options::recursive);
  const auto files = find_weight_files(sharded);
  ASSERT_TRUE(files.has_value());
  EXPECT_EQ(files->format, WeightFormat::ShardedPytorchBin);
  const TensorMap got = read_weight_files(*files);
  const TensorMap want = read_safetensors(join_path(sharded, "expected.safetensors")).tensors;
  ASSERT_EQ(got.size(), want.size());
  for (const auto& kv : want) EXPECT_TRUE(torch::equal(got[kv.key()], kv.value())) << kv.key();

  // An index that puts a tensor in the wrong shard, or names a file outside the directory, fails.
  const auto index_path = join_path(sharded, "pytorch_model.bin.index.json");
  std::string index = read_file(index_path);
  const std::string original = index;
  const std::string second_shard = "\"param\": \"pytorch_model-00002-of-00002.bin\"";
  const auto at = index.find(second_shard);
  ASSERT_NE(at, std::string::npos) << index;
  index.replace(at, second_shard.size(), "\"param\": \"pytorch_model-00001-of-00002.bin\"");
  write_file_atomic(index_path, index);
  expect_error([&] { read_weight_files(*files); }, {"pytorch_model-00001-of-00002.bin", "'param'"});
  index = original;
  const std::string shard = "pytorch_model-00002-of-00002.bin";
  index.replace(index.find(shard), shard.size(), "../outside.bin");
  write_file_atomic(index_path, index);
  expect_error([&] { read_weight_files(*files); }, {index_path, "not a file name"});
}

TEST(PytorchBin, LegacyAndHostileFilesAreRefused) {
  const auto& dir = python_fixtures();
  if (dir.empty()) GTEST_SKIP() << "no " << test::reference_python() << " with torch";
  expect_error([&] { read_pytorch_bin(join_path(dir, "legacy.bin")); }, {join_path(dir, "legacy.bin"), "legacy"});
  expect_error([&] { read_pytorch_bin(join_path(dir, "hostile.bin")); },
               {join_path(dir, "hostile.bin"), "posix.system", "does not load"});
}

TEST(PytorchBin, DamagedPicklesFailCleanly) {
  const auto& dir = python_fixtures();
  if (dir.empty()) GTEST_SKIP() << "no " << test::reference_python() << " with torch";
  // Every truncation (in steps of 11 bytes) and 150 random corruptions of a real state dict's pickle,
  // in valid zip archives: each either reads or is an earlybert::Error naming the file — never a
  // crash or another exception.
  size_t files = 0, failed = 0;
  for (const auto& entry : fs::directory_iterator(join_path(dir, "mutants"))) {
    ++files;
    const std::string path = entry.path().string();
    try {
      read_pytorch_bin(path);
    } catch (const Error& e) {
      ++failed;
      EXPECT_EQ(std::string(e.what()).rfind(path, 0), 0u) << e.what();
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(files, 250u);
  EXPECT_GT(failed, files / 2);  // the truncations alone cannot all read
}

TEST(PytorchBin, BrokenFilesNameThePath) {
  const auto dir = test::scratch_dir("pytorch_bin_broken");
  const auto not_zip = join_path(dir, "not_zip.bin");
  std::ofstream(not_zip) << "hello";
  expect_error([&] { read_pytorch_bin(not_zip); }, {not_zip, "not a torch.save zip archive"});
  const auto truncated = join_path(dir, "truncated.bin");
  std::ofstream(truncated) << std::string("PK\x03\x04", 4) << "truncated";
  expect_error([&] { read_pytorch_bin(truncated); }, {truncated, "unreadable"});
  const auto legacy = join_path(dir, "legacy.bin");
  std::ofstream(legacy) << std::string("\x80\x02\x8a\x0al\xfc\x9c\x46\xf9\x20j\xa8P\x19.", 16);
  expect_error([&] { read_pytorch_bin(legacy); }, {legacy, "legacy"});
  expect_error([&] { read_pytorch_bin(join_path(dir, "absent.bin")); }, {"absent.bin", "cannot open"});
}

TEST(PytorchBin, NerFixtureLoadsIntoTokenClassification) {
  const std::string dir = ner_fixture();
  if (dir.empty()) GTEST_SKIP() << "shared data models/tiny-bert-ner-random-pytorch absent";
  EXPECT_EQ(find_weight_files(dir)->format, WeightFormat::PytorchBin);
  EXPECT_EQ(model_kind_from_architecture(load_pretrained(dir).architectures.at(0)), ModelKind::TokenClassification);
  PretrainedModel m = load_pretrained_model(dir, ModelKind::TokenClassification, LoadPolicy::initialise());
  // Everything but our slimming coefficients comes from the file; position_ids is a known HF buffer.
  EXPECT_EQ(m.report.missing_keys.size(), m.report.missing_slimming_keys().size()) << m.report.summary();
  EXPECT_TRUE(m.report.unexpected_keys.empty()) << m.report.summary();
  EXPECT_EQ(m.report.ignored_keys, std::vector<std::string>{"bert.embeddings.position_ids"});
  EXPECT_EQ(m.model.config().num_labels, 9);
  EXPECT_EQ(m.model.config().id2label.at(3), "B-PER");
  EXPECT_FALSE(m.model.get<BertForTokenClassification>()->bert->has_pooler());
}

TEST(PytorchBin, NerFixtureBinEqualsItsSafetensorsConversion) {
  const std::string ner = ner_fixture();
  if (ner.empty()) GTEST_SKIP() << "shared data models/tiny-bert-ner-random-pytorch absent";
  const auto& fixtures = python_fixtures();
  if (fixtures.empty()) GTEST_SKIP() << "no " << test::reference_python() << " with torch";
  // The same model directory with PyTorch's conversion as model.safetensors instead of the .bin.
  const auto converted = test::scratch_dir("pytorch_bin_ner_converted");
  fs::copy_file(join_path(ner, "config.json"), join_path(converted, "config.json"));
  fs::copy_file(join_path(fixtures, "ner.safetensors"), join_path(converted, "model.safetensors"));

  expect_same_tensors(read_pytorch_bin(join_path(ner, "pytorch_model.bin")),
                      read_safetensors(join_path(converted, "model.safetensors")).tensors);
  PretrainedModel from_bin = load_pretrained_model(ner, ModelKind::TokenClassification);
  PretrainedModel from_st = load_pretrained_model(converted, ModelKind::TokenClassification);
  const TensorMap a = module_state(*from_bin.model.module()), b = module_state(*from_st.model.module());
  for (const auto& kv : a) EXPECT_TRUE(torch::equal(kv.value(), b[kv.key()])) << kv.key();

  Batch batch;
  batch.input_ids = torch::tensor({{2, 17, 45, 301, 3}, {2, 99, 3, 0, 0}}, torch::kLong);
  batch.attention_mask = torch::tensor({{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}, torch::kLong);
  batch.labels = torch::tensor({{-100, 3, 4, 0, -100}, {-100, 7, -100, -100, -100}}, torch::kLong);
  torch::NoGradGuard no_grad;
  from_bin.model.module()->eval();
  from_st.model.module()->eval();
  auto oa = from_bin.model.get<BertForTokenClassification>()->forward(batch);
  auto ob = from_st.model.get<BertForTokenClassification>()->forward(batch);
  EXPECT_TRUE(torch::equal(oa.logits, ob.logits));
  EXPECT_EQ(oa.logits.sizes(), (std::vector<int64_t>{2, 5, 9}));
  EXPECT_TRUE(torch::equal(oa.loss, ob.loss));
}

TEST(WeightFiles, ShardedSafetensorsAndPreferenceOrder) {
  const auto dir = test::scratch_dir("weight_files_order");
  EXPECT_FALSE(find_weight_files(dir).has_value());
  TensorMap first, second;
  first.insert("a", torch::arange(6, torch::kFloat).reshape({2, 3}));
  second.insert("b", torch::tensor({1, 2}, torch::kLong));
  second.insert("c", torch::ones({1}, torch::kHalf));
  write_safetensors(join_path(dir, "model-00001-of-00002.safetensors"), first);
  write_safetensors(join_path(dir, "model-00002-of-00002.safetensors"), second);
  write_file_atomic(join_path(dir, "model.safetensors.index.json"),
                    R"({"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors",
                        "b": "model-00002-of-00002.safetensors", "c": "model-00002-of-00002.safetensors"}})");
  std::ofstream(join_path(dir, "pytorch_model.bin")) << "not even a zip";  // lower preference: never read
  auto files = find_weight_files(dir);
  ASSERT_TRUE(files.has_value());
  EXPECT_EQ(files->format, WeightFormat::ShardedSafetensors);
  const TensorMap all = read_weight_files(*files);
  EXPECT_EQ(all.size(), 3u);
  EXPECT_TRUE(torch::equal(all["a"], first["a"]));
  EXPECT_TRUE(torch::equal(all["c"], second["c"]));

  // A shard missing a tensor the index puts there.
  write_file_atomic(join_path(dir, "model.safetensors.index.json"),
                    R"({"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors",
                        "c": "model-00002-of-00002.safetensors", "d": "model-00001-of-00002.safetensors"}})");
  expect_error([&] { read_weight_files(*files); }, {"model-00001-of-00002.safetensors", "lacks tensor 'd'"});
  // model.safetensors wins over everything else.
  write_safetensors(join_path(dir, "model.safetensors"), first);
  EXPECT_EQ(find_weight_files(dir)->format, WeightFormat::Safetensors);
}
