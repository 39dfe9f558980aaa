// `earlybert score` end to end through the CLI binary ($EARLYBERT_CLI): GLUE submission files and SQuAD
// predictions.json against fixtures (and the real MRPC / SQuAD dev files when present).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "child_process.h"
#include "earlybert/base/files.h"

namespace earlybert {
namespace {

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

class ScoreCommand : public testing::Test {
 protected:
  void SetUp() override {
    const char* cli = std::getenv("EARLYBERT_CLI");
    const char* fixtures = std::getenv("EARLYBERT_FIXTURES");
    if (cli == nullptr || !path_exists(cli)) GTEST_SKIP() << "EARLYBERT_CLI is not set or missing";
    if (fixtures == nullptr) GTEST_SKIP() << "EARLYBERT_FIXTURES is not set";
    cli_ = cli;
    glue_ = join_path(fixtures, "data/glue");
    squad_ = join_path(fixtures, "data/squad");
    // One directory per test and process: ctest runs tests in parallel processes.
    dir_ = join_path(testing::TempDir(), std::string("score_cmd_") +
                                             testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                                             std::to_string(::getpid()));
    make_directories(dir_);
  }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = join_path(dir_, name);
    write_file_atomic(path, text);
    return path;
  }

  CliResult run(const std::string& args) {
    const std::string out = join_path(dir_, "stdout.txt");
    const std::string err = join_path(dir_, "stderr.txt");
    const std::string cmd = "'" + cli_ + "' score " + args + " >'" + out + "' 2>'" + err + "'";
    const int raw = test::run_shell(cmd);
    CliResult r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
  }

  nlohmann::json run_json(const std::string& args) {
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }

  void TearDown() override {
    if (!dir_.empty()) remove_all(dir_);
  }

  std::string cli_, glue_, squad_, dir_;
};

// Each run loads the whole CLI (LibTorch included, about a second): the library functions behind it
// have their own unit tests, so these runs only check the plumbing, one run per behaviour.

TEST_F(ScoreCommand, MrpcAccuracyF1) {
  // Fixture MRPC dev labels: 1, 0. Predicting 1, 1: accuracy 1/2, F1 2·1/(2·1 + 1) = 2/3.
  const std::string preds = write("MRPC.tsv", "index\tprediction\n0\t1\n1\t1\n");
  const auto j = run_json("--task mrpc --data_dir '" + glue_ + "' --predictions '" + preds + "'");
  EXPECT_DOUBLE_EQ(j.at("accuracy").get<double>(), 0.5);
  EXPECT_NEAR(j.at("f1").get<double>(), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(j.at("combined_score").get<double>(), (0.5 + 2.0 / 3.0) / 2.0, 1e-12);
  EXPECT_EQ(j.size(), 3u);
}

TEST_F(ScoreCommand, MnliMismatchedIsItsOwnTask) {
  // dev_matched: neutral, contradiction; dev_mismatched: contradiction, entailment, neutral.
  const std::string m = write("MNLI-m.tsv", "index\tprediction\n0\tneutral\n1\tentailment\n");
  const std::string mm = write("MNLI-mm.tsv", "index\tprediction\n0\tcontradiction\n1\tentailment\n2\tentailment\n");
  EXPECT_NEAR(
      run_json("--task mnli-mm --data_dir '" + glue_ + "' --predictions '" + mm + "'").at("accuracy").get<double>(),
      2.0 / 3.0, 1e-12);
  // Matched predictions against the mismatched dev set: index 2 has no prediction.
  const CliResult r = run("--task mnli-mm --data_dir '" + glue_ + "' --predictions '" + m + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no prediction for index 2"), std::string::npos) << r.err;
}

TEST_F(ScoreCommand, ConstantStsbPredictionsPrintNull) {
  const std::string flat = write("flat.tsv", "index\tprediction\n0\t3\n1\t3\n2\t3\n3\t3\n");
  const auto k = run_json("--task stsb --data_dir '" + glue_ + "' --predictions '" + flat + "'");
  EXPECT_TRUE(k.at("pearson").is_null());
  EXPECT_TRUE(k.at("spearmanr").is_null());
}

TEST_F(ScoreCommand, BadInputExitsWithOneLineErrors) {
  const std::string preds = write("rte.tsv", "index\tprediction\n0\tmaybe\n");
  CliResult r = run("--task rte --data_dir '" + glue_ + "' --predictions '" + preds + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(preds + ":2: prediction 'maybe' is not one of the rte labels"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;  // one line
  r = run("--task rte --predictions '" + preds + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--data_dir: required"), std::string::npos) << r.err;
}

TEST_F(ScoreCommand, SquadV11) {
  // q1 "in 1998": EM 1; q2 "Müller" vs "Anna Müller": F1 2/3; q3 "bowl-shaped hollow" equals "a
  // bowl-shaped hollow" after normalization. EM 2/3, F1 (1 + 2/3 + 1) / 3, as percentages.
  const std::string preds =
      write("predictions.json", R"({"q1": "in 1998", "q2": "Müller", "q3": "bowl-shaped hollow"})");
  const auto j = run_json("--task squad --data_file '" + squad_ + "/tiny-v1.1.json' --predictions '" + preds + "'");
  EXPECT_NEAR(j.at("exact_match").get<double>(), 200.0 / 3.0, 1e-9);
  EXPECT_NEAR(j.at("f1").get<double>(), 100.0 * (8.0 / 3.0) / 3.0, 1e-9);
}

TEST_F(ScoreCommand, SquadV2) {
  const std::string preds = write("predictions_v2.json", R"({"p1": "Anna Müller", "p2": "1998"})");
  const auto j = run_json("--task squad_v2 --data_file '" + squad_ + "/tiny-v2.0.json' --predictions '" + preds + "'");
  EXPECT_DOUBLE_EQ(j.at("exact_match").get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(j.at("f1").get<double>(), 50.0);
  EXPECT_DOUBLE_EQ(j.at("HasAns_exact").get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(j.at("NoAns_exact").get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(j.at("total").get<double>(), 2.0);
}

TEST_F(ScoreCommand, RealMrpcAndSquadDev) {
  const char* d = std::getenv("EARLYBERT_SHARED_DATA");
  if (d == nullptr || !path_exists(join_path(d, "glue/MRPC/dev.tsv")) ||
      !path_exists(join_path(d, "squad/dev-v1.1.json"))) {
    GTEST_SKIP() << "EARLYBERT_SHARED_DATA (GLUE MRPC, SQuAD dev) is absent";
  }
  // All-positive predictions on MRPC dev (279 of 408 are paraphrases): accuracy 279/408, F1 558/687.
  std::string rows = "index\tprediction\n";
  for (int i = 0; i < 408; ++i) rows += std::to_string(i) + "\t1\n";
  const std::string preds = write("MRPC_all1.tsv", rows);
  const auto j = run_json("--task mrpc --data_dir '" + join_path(d, "glue") + "' --predictions '" + preds + "'");
  EXPECT_NEAR(j.at("accuracy").get<double>(), 279.0 / 408.0, 1e-12);
  EXPECT_NEAR(j.at("f1").get<double>(), 558.0 / 687.0, 1e-12);
  // Empty answers for all 10570 questions: F1 0, but EM 3/10570: three questions have "." among their
  // gold answers, which normalizes to "" (the official script scores those exact matches too).
  nlohmann::json empty = nlohmann::json::object();
  const auto dev = nlohmann::json::parse(read_file(join_path(d, "squad/dev-v1.1.json")));
  for (const auto& article : dev.at("data")) {
    for (const auto& p : article.at("paragraphs")) {
      for (const auto& qa : p.at("qas")) empty[qa.at("id").get<std::string>()] = "";
    }
  }
  ASSERT_EQ(empty.size(), 10570u);
  const std::string squad_preds = write("empty_predictions.json", empty.dump());
  const auto k = run_json("--task squad --data_file '" + join_path(d, "squad/dev-v1.1.json") + "' --predictions '" +
                          squad_preds + "'");
  EXPECT_NEAR(k.at("exact_match").get<double>(), 300.0 / 10570.0, 1e-12);
  EXPECT_DOUBLE_EQ(k.at("f1").get<double>(), 0.0);
}

}  // namespace
}  // namespace earlybert
