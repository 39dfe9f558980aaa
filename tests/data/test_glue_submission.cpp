// GLUE submission files: file names, writing, reading back, and scoring with complete / broken files.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/glue_submission.h"

namespace earlybert {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string temp_path(const std::string& name) { return join_path(testing::TempDir(), "glue_submission_" + name); }

TaskExamples labelled(const TaskSpec& task, const std::vector<std::string>& labels) {
  TaskExamples out;
  out.task = task.name;
  out.split = Split::Dev;
  out.source = "gold.tsv";
  for (size_t i = 0; i < labels.size(); ++i) {
    TextExample e;
    e.index = static_cast<int64_t>(i);
    e.line = i + 2;
    e.text_a = "text";
    e.label = labels[i];
    if (task.is_regression) {
      e.label_value = std::stof(labels[i]);
    } else {
      e.label_id = task.label_id(labels[i]);
    }
    out.examples.push_back(e);
  }
  return out;
}

TEST(GlueSubmission, FileNamesTheServerExpects) {
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"cola", "CoLA.tsv"}, {"sst-2", "SST-2.tsv"}, {"mrpc", "MRPC.tsv"},       {"sts-b", "STS-B.tsv"},
      {"qqp", "QQP.tsv"},   {"mnli", "MNLI-m.tsv"}, {"mnli-mm", "MNLI-mm.tsv"}, {"qnli", "QNLI.tsv"},
      {"rte", "RTE.tsv"},   {"wnli", "WNLI.tsv"}};
  for (const auto& [task, file] : expected) EXPECT_EQ(submission_file_name(find_task(task)), file) << task;
}

TEST(GlueSubmission, WritesLabelStringsAndScores) {
  const std::string rte = temp_path("RTE.tsv");
  write_glue_predictions(find_task("rte"), rte, std::vector<int32_t>{1, 0, 0});
  EXPECT_EQ(read_file(rte), "index\tprediction\n0\tnot_entailment\n1\tentailment\n2\tentailment\n");
  const std::string stsb = temp_path("STS-B.tsv");
  write_glue_predictions(find_task("sts-b"), stsb, std::vector<float>{4.25f, 0.0f, 3.14159f});
  EXPECT_EQ(read_file(stsb), "index\tprediction\n0\t4.250\n1\t0.000\n2\t3.142\n");
  EXPECT_THROW(write_glue_predictions(find_task("rte"), rte, std::vector<int32_t>{2}), Error);
  EXPECT_THROW(write_glue_predictions(find_task("rte"), rte, std::vector<float>{1.0f}), Error);
  EXPECT_THROW(write_glue_predictions(find_task("sts-b"), stsb, std::vector<int32_t>{1}), Error);
}

TEST(GlueSubmission, RoundTripAndScore) {
  const TaskSpec& mnli = find_task("mnli");
  const std::string path = temp_path("MNLI-m.tsv");
  // gold: entailment, neutral, contradiction, entailment; predicted: entailment, entailment, contradiction, entailment
  write_glue_predictions(mnli, path, std::vector<int32_t>{1, 1, 0, 1});
  const auto preds = read_glue_predictions(mnli, path);
  ASSERT_EQ(preds.size(), 4u);
  EXPECT_EQ(preds[2].label_id, 0);
  EXPECT_EQ(preds[2].line, 4u);
  const auto gold = labelled(mnli, {"entailment", "neutral", "contradiction", "entailment"});
  const MetricValues m = score_glue_predictions(mnli, gold, preds, path);
  EXPECT_EQ(m.size(), 1u);
  EXPECT_DOUBLE_EQ(m.at("accuracy"), 0.75);
}

TEST(GlueSubmission, ScoringAcceptsAnyRowOrder) {
  const TaskSpec& stsb = find_task("sts-b");
  const std::string path = temp_path("shuffled.tsv");
  write_file_atomic(path, "index\tprediction\n2\t3\n0\t1\n1\t2\n");
  const auto m = score_glue_predictions(stsb, labelled(stsb, {"1", "2", "3"}), read_glue_predictions(stsb, path), path);
  EXPECT_NEAR(m.at("pearson"), 1.0, 1e-12);
  EXPECT_NEAR(m.at("spearmanr"), 1.0, 1e-12);
}

TEST(GlueSubmission, BadFilesNameFileLineAndIndex) {
  const TaskSpec& mrpc = find_task("mrpc");
  const auto check = [&](const std::string& name, const std::string& text, const std::string& expect) {
    const std::string path = temp_path(name);
    write_file_atomic(path, text);
    const std::string msg = error_of([&] { read_glue_predictions(mrpc, path); });
    EXPECT_NE(msg.find(path + expect), std::string::npos) << msg;
  };
  check("no_header.tsv", "0\t1\n", ":1: expected the header");
  check("bad_label.tsv", "index\tprediction\n0\t1\n1\tyes\n", ":3: prediction 'yes' is not one of the mrpc labels");
  check("bad_index.tsv", "index\tprediction\n-1\t1\n", ":2: index '-1' is not a non-negative integer");
  check("repeat.tsv", "index\tprediction\n0\t1\n0\t0\n", ":3: index 0 repeats line 2");
  check("fields.tsv", "index\tprediction\n0\t1\textra\n", ":2: malformed row");

  const std::string path = temp_path("partial.tsv");
  write_file_atomic(path, "index\tprediction\n0\t1\n2\t0\n");
  const auto gold = labelled(mrpc, {"1", "0", "0"});
  std::string msg = error_of([&] { score_glue_predictions(mrpc, gold, read_glue_predictions(mrpc, path), path); });
  EXPECT_NE(msg.find("no prediction for index 1 (gold.tsv:3)"), std::string::npos) << msg;

  write_file_atomic(path, "index\tprediction\n0\t1\n1\t0\n2\t0\n3\t1\n");
  msg = error_of([&] { score_glue_predictions(mrpc, gold, read_glue_predictions(mrpc, path), path); });
  EXPECT_NE(msg.find(path + ":5: index 3 is not an example of gold.tsv"), std::string::npos) << msg;

  TaskExamples unlabelled = gold;
  for (auto& e : unlabelled.examples) e.label.reset();
  unlabelled.split = Split::Test;
  write_file_atomic(path, "index\tprediction\n0\t1\n1\t0\n2\t0\n");
  msg = error_of([&] { score_glue_predictions(mrpc, unlabelled, read_glue_predictions(mrpc, path), path); });
  EXPECT_NE(msg.find("the test split has no labels"), std::string::npos) << msg;
}

}  // namespace
}  // namespace earlybert
