// Tests of the two commands around Hugging Face directories, through the built CLI:
//   earlybert export MODEL --output DIR [--keep-pruned]   writes the directory (checked in depth by
//                                                          test_hf_export.cpp) and reports what it did;
//   earlybert predict --model_name_or_path M --input F    one JSON line per input (file or stdin), equal
//                                                          to the model run in this process on the same
//                                                          token ids, with the config's label names.
// Usage errors exit with status 2 and one line naming the flag or file.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "earlybert/base/files.h"
#include "earlybert/io/checkpoint.h"
#include "earlybert/model/any_bert_model.h"
#include "earlybert/prune/apply_plan.h"
#include "scratch_dir.h"
#include "tokenize/tokenize_test_util.h"

using namespace earlybert;

namespace {

// Whole words of the tiny vocabulary below, so the token ids are known without a tokenizer.
const char* const kVocab[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "movie", "plot", "."};

/// A sentence-classification model directory (labels neg/pos) with vocab.txt, pruned a little.
std::string write_model(const std::string& root) {
  BertConfig c;
  c.vocab_size = 10;
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.intermediate_size = 12;
  c.max_position_embeddings = 32;
  c.num_labels = 2;
  c.id2label = {"neg", "pos"};
  torch::manual_seed(8);
  AnyBertModel model = AnyBertModel::create(ModelKind::SequenceClassification, c);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : model.module()->parameters()) p.add_(torch::randn_like(p) * 0.3);
  }
  PruningPlan plan;
  plan.layers.push_back({4, 12, {0, 1, 3}, {0, 1, 2, 3, 4, 5, 6, 7}});
  plan.layers.push_back({4, 12, {0, 1, 2, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}});
  apply_plan(model, plan);
  const std::string dir = join_path(root, "model");
  save_pretrained(dir, model);
  std::ofstream vocab(join_path(dir, "vocab.txt"));
  for (const char* t : kVocab) vocab << t << "\n";
  return dir;
}

/// Softmax of the model in `dir` on [CLS] ids [SEP] (ids of kVocab).
std::vector<double> expected_scores(const std::string& dir, const std::vector<int64_t>& ids) {
  PretrainedModel m = load_pretrained_model(dir, ModelKind::SequenceClassification, LoadPolicy::exact());
  m.model.module()->eval();
  std::vector<int64_t> all = {2};
  all.insert(all.end(), ids.begin(), ids.end());
  all.push_back(3);
  Batch batch;
  batch.input_ids = torch::tensor(all, torch::kLong).unsqueeze(0);
  torch::NoGradGuard no_grad;
  const auto p =
      torch::softmax(m.model.get<BertForSequenceClassification>()->forward(batch).logits.to(torch::kDouble), -1);
  return {p[0][0].item<double>(), p[0][1].item<double>()};
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

}  // namespace

TEST(HfCli, ExportWritesTheDirectoryAndSaysWhatItDid) {
  EARLYBERT_REQUIRE_CLI();
  const auto root = test::scratch_dir("hf_cli_export");
  const auto model = write_model(root);
  const auto out = join_path(root, "hf");
  const auto r = test::run_cli("export " + test::shell_quote(model) + " --output " + test::shell_quote(out));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("config.json model.safetensors vocab.txt tokenizer_config.json"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pruned heads 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("zero-padded 6 FFN neurons to intermediate_size 12"), std::string::npos) << r.out;
  EXPECT_EQ(load_pretrained(out).intermediate_size, 12);

  const auto again = test::run_cli("export " + test::shell_quote(model) + " --output " + test::shell_quote(out));
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;
  const auto compact = test::run_cli("export " + test::shell_quote(model) + " -o " +
                                     test::shell_quote(join_path(root, "compact")) + " --keep-pruned");
  ASSERT_EQ(compact.status, 0) << compact.err;
  EXPECT_EQ(load_pretrained(join_path(root, "compact")).intermediate_sizes, (std::vector<int64_t>{8, 10}));
  const auto bad = test::run_cli("export " + test::shell_quote(model) + " -o x --format onnx");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("--format: unknown format 'onnx'"), std::string::npos) << bad.err;
}

TEST(HfCli, PredictInputPrintsOneJsonLinePerText) {
  EARLYBERT_REQUIRE_CLI();
  const auto root = test::scratch_dir("hf_cli_predict");
  const auto model = write_model(root);
  const auto input = join_path(root, "texts.jsonl");
  std::ofstream(input) << "{\"text\": \"good movie\"}\n{\"text\": \"bad plot .\", \"label\": \"ignored\"}\n"
                       << "{\"text\": \"GOOD\"}\n";
  const auto r = test::run_cli("predict --model_name_or_path " + test::shell_quote(model) + " --input " +
                               test::shell_quote(input) + " --per_device_eval_batch_size 2");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  const std::vector<std::vector<int64_t>> ids = {{5, 7}, {6, 8, 9}, {5}};
  for (size_t i = 0; i < lines.size(); ++i) {
    SCOPED_TRACE(i);
    const auto want = expected_scores(model, ids[i]);
    EXPECT_NEAR(lines[i]["scores"]["neg"].get<double>(), want[0], 1e-5);
    EXPECT_NEAR(lines[i]["scores"]["pos"].get<double>(), want[1], 1e-5);
    EXPECT_EQ(lines[i]["label"], want[1] > want[0] ? "pos" : "neg");
    EXPECT_DOUBLE_EQ(lines[i]["score"].get<double>(), std::max(want[0], want[1]) == want[1]
                                                          ? lines[i]["scores"]["pos"].get<double>()
                                                          : lines[i]["scores"]["neg"].get<double>());
  }
  // The same from stdin (JSON Lines), and a CSV file with a pair of columns works too.
  const auto piped = test::run_cli("predict --model_name_or_path " + test::shell_quote(model) + " --input -",
                                   "{\"text\": \"good movie\"}\n");
  ASSERT_EQ(piped.status, 0) << piped.err;
  // Equal up to rounding: alone, "good movie" is a batch of one without padding, and the CPU matrix
  // products (oneDNN, runtime/matmul.h) block differently for a different number of rows.
  const auto alone = json_lines(piped.out).at(0);
  EXPECT_EQ(alone["label"], lines[0]["label"]);
  for (const char* label : {"neg", "pos"})
    EXPECT_NEAR(alone["scores"][label].get<double>(), lines[0]["scores"][label].get<double>(), 1e-6) << label;
  const auto csv = join_path(root, "pairs.csv");
  std::ofstream(csv) << "sentence1,sentence2\ngood,bad plot\n";
  const auto pair =
      test::run_cli("predict --model_name_or_path " + test::shell_quote(model) + " --input " + test::shell_quote(csv));
  ASSERT_EQ(pair.status, 0) << pair.err;
  EXPECT_EQ(json_lines(pair.out).size(), 1u);

  const auto ragged = join_path(root, "ragged.csv");
  std::ofstream(ragged) << "text,other\nfine,1\nbroken\n";
  const auto bad = test::run_cli("predict --model_name_or_path " + test::shell_quote(model) + " --input " +
                                 test::shell_quote(ragged));
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find(ragged + ":3"), std::string::npos) << bad.err;
}
