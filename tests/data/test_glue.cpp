// GLUE tasks: every task's layout on hand-written fixtures, every bad-row error, the registry, and the
// published row counts over the real files (skipped when ../shared/data is absent).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>

#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/data/glue.h"

namespace earlybert {
namespace {

std::string fixtures_glue() {
  const char* f = std::getenv("EARLYBERT_FIXTURES");
  return f ? join_path(f, "data/glue") : "";
}

#define REQUIRE_FIXTURES() \
  if (fixtures_glue().empty()) GTEST_SKIP() << "EARLYBERT_FIXTURES is not set"

TaskExamples load(const std::string& task, Split split) {
  return load_task_examples(find_task(task), fixtures_glue(), split);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

/// Writes `text` to a temporary file named `name` and returns its path.
std::string temp_file(const std::string& name, const std::string& text) {
  const std::string path = join_path(testing::TempDir(), "glue_test_" + name);
  write_file_atomic(path, text);
  return path;
}

TEST(GlueRegistry, BuiltinTasksAndAliases) {
  for (const char* name : {"cola", "sst-2", "mrpc", "sts-b", "qqp", "mnli", "mnli-mm", "qnli", "rte", "wnli"}) {
    EXPECT_NE(lookup_task(name), nullptr) << name;
  }
  EXPECT_EQ(find_task("SST2").name, "sst-2");
  EXPECT_EQ(find_task("stsb").name, "sts-b");
  EXPECT_EQ(find_task("MNLI_mismatched").name, "mnli-mm");
  EXPECT_EQ(find_task("CoLA").metric_names, std::vector<std::string>{"matthews_correlation"});
  EXPECT_EQ(find_task("mnli").label_names, (std::vector<std::string>{"contradiction", "entailment", "neutral"}));
  EXPECT_EQ(find_task("rte").label_names, (std::vector<std::string>{"entailment", "not_entailment"}));
  EXPECT_EQ(find_task("qnli").num_labels(), 2u);
  EXPECT_EQ(find_task("sts-b").num_labels(), 1u);
  EXPECT_TRUE(find_task("sts-b").is_regression);
  EXPECT_FALSE(find_task("sst-2").is_pair);
  EXPECT_TRUE(find_task("qqp").is_pair);
  EXPECT_EQ(find_task("mnli-mm").dev_file, "dev_mismatched.tsv");
  const std::string msg = error_of([] { find_task("nope"); });
  EXPECT_NE(msg.find("unknown task 'nope'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mrpc"), std::string::npos) << msg;
}

TEST(GlueRegistry, RegistersCustomTasksAndRejectsBadSpecs) {
  TaskSpec t;
  t.name = "glue-test-custom";
  t.label_names = {"x", "y", "z"};
  t.metric_names = {"accuracy"};
  t.load = [](const TaskSpec& spec, const std::string&, Split split) {
    TaskExamples out;
    out.task = spec.name;
    out.split = split;
    TextExample ex;
    ex.text_a = "hello";
    ex.label = "z";
    ex.label_id = 2;
    out.examples.push_back(ex);
    return out;
  };
  if (lookup_task(t.name) == nullptr) register_task(t);  // (the registry is per process: --gtest_repeat)
  const TaskSpec& found = find_task("GLUE-TEST-CUSTOM");
  EXPECT_EQ(found.num_labels(), 3u);
  EXPECT_EQ(load_task_examples(found, "", Split::Dev).examples.at(0).label_id, 2);
  EXPECT_THROW(register_task(t), Error);  // name taken

  TaskSpec alias_clash = t;
  alias_clash.name = "glue-test-other";
  alias_clash.aliases = {"MRPC"};
  EXPECT_THROW(register_task(alias_clash), Error);

  TaskSpec bad_metric = t;
  bad_metric.name = "glue-test-bad-metric";
  bad_metric.metric_names = {"pearson"};
  EXPECT_THROW(register_task(bad_metric), Error);

  TaskSpec one_label = t;
  one_label.name = "glue-test-one-label";
  one_label.label_names = {"x"};
  EXPECT_THROW(register_task(one_label), Error);

  TaskSpec no_layout = t;
  no_layout.name = "glue-test-no-loader";
  no_layout.load = nullptr;  // a TSV task needs a dir and consistent layouts
  EXPECT_THROW(register_task(no_layout), Error);
}

TEST(GlueFixtures, CoLA) {
  REQUIRE_FIXTURES();
  const auto train = load("cola", Split::Train);
  ASSERT_EQ(train.examples.size(), 3u);
  EXPECT_EQ(train.examples[1].text_a, "Slept the cat mat on warm.");
  EXPECT_EQ(train.examples[1].label, "0");
  EXPECT_EQ(train.examples[1].label_id, 0);
  EXPECT_EQ(train.examples[1].guid, "train-1");
  EXPECT_EQ(train.examples[1].line, 2u);
  EXPECT_FALSE(train.examples[0].text_b.has_value());
  const auto dev = load("cola", Split::Dev);  // no final newline
  ASSERT_EQ(dev.examples.size(), 2u);
  EXPECT_EQ(dev.examples[1].text_a, "The sea flows rivers toward.");
  const auto test = load("cola", Split::Test);
  ASSERT_EQ(test.examples.size(), 2u);
  EXPECT_EQ(test.examples[0].text_a, "Birds sing at dawn.");
  EXPECT_EQ(test.examples[0].guid, "test-0");
  EXPECT_FALSE(test.examples[0].has_label());
  EXPECT_EQ(test.examples[0].label_id, -1);
}

TEST(GlueFixtures, SST2) {
  REQUIRE_FIXTURES();
  const auto train = load("sst-2", Split::Train);
  ASSERT_EQ(train.examples.size(), 3u);
  EXPECT_EQ(train.examples[0].text_a, "a warm , funny little film ");  // trailing space kept
  EXPECT_EQ(train.examples[0].label_id, 1);
  EXPECT_EQ(train.examples[0].guid, "train-1");  // HF: enumerate() index, header is 0
  const auto test = load("sst-2", Split::Test);
  ASSERT_EQ(test.examples.size(), 2u);
  EXPECT_EQ(test.examples[1].text_a, "nothing here works .");
  EXPECT_EQ(test.examples[1].index, 1);
}

TEST(GlueFixtures, MRPCWithByteOrderMark) {
  REQUIRE_FIXTURES();
  const auto train = load("mrpc", Split::Train);
  ASSERT_EQ(train.examples.size(), 3u);
  EXPECT_EQ(train.examples[0].text_a, "The mayor said \"the budget is balanced.");
  EXPECT_EQ(train.examples[0].text_b, "According to the mayor, the budget is balanced.");
  EXPECT_EQ(train.examples[1].label_id, 0);
  const auto dev = load("mrpc", Split::Dev);
  ASSERT_EQ(dev.examples.size(), 2u);
  EXPECT_EQ(dev.examples[0].text_b, "\"After repairs, the museum opened again.");
  const auto test = load("mrpc", Split::Test);
  ASSERT_EQ(test.examples.size(), 1u);
  EXPECT_EQ(test.examples[0].text_a, "The bridge will be painted in May.");
  EXPECT_EQ(test.examples[0].text_b, "Painters will work on the bridge in May.");
}

TEST(GlueFixtures, STSBScores) {
  REQUIRE_FIXTURES();
  const auto dev = load("sts-b", Split::Dev);
  ASSERT_EQ(dev.examples.size(), 4u);
  EXPECT_EQ(dev.examples[1].text_a, "A cat drinks milk.");
  EXPECT_EQ(dev.examples[1].text_b, "A kitten is drinking milk.");
  EXPECT_FLOAT_EQ(dev.examples[1].label_value, 4.25f);
  EXPECT_EQ(dev.examples[1].label, "4.250");
  EXPECT_EQ(dev.examples[1].label_id, -1);
  EXPECT_EQ(dev.examples[3].guid, "dev-3");
  const auto test = load("sts-b", Split::Test);  // 9 columns
  ASSERT_EQ(test.examples.size(), 1u);
  EXPECT_EQ(test.examples[0].text_b, "A girl is painting a wall.");
}

TEST(GlueFixtures, QQPSkipsAndCountsMalformedRows) {
  REQUIRE_FIXTURES();
  const auto train = load("qqp", Split::Train);
  ASSERT_EQ(train.examples.size(), 3u);
  EXPECT_EQ(train.skipped_rows, 1u);
  EXPECT_EQ(train.skipped_lines, std::vector<size_t>{4});
  EXPECT_EQ(train.examples[2].text_a, "How can I sleep better?");
  EXPECT_EQ(train.examples[2].index, 2);  // indices stay contiguous
  EXPECT_EQ(train.examples[2].guid, "train-40");
  const auto test = load("qqp", Split::Test);
  ASSERT_EQ(test.examples.size(), 1u);
  EXPECT_EQ(test.examples[0].text_a, "How do I fix a flat tire?");
  EXPECT_EQ(test.examples[0].text_b, "What is the way to repair a punctured tyre?");
}

TEST(GlueFixtures, MNLIMatchedAndMismatched) {
  REQUIRE_FIXTURES();
  const auto train = load("mnli", Split::Train);
  ASSERT_EQ(train.examples.size(), 4u);
  EXPECT_EQ(train.examples[1].text_a, "We talked about the weather for a while.");
  EXPECT_EQ(train.examples[1].label, "contradiction");
  EXPECT_EQ(train.examples[1].label_id, 0);
  const auto matched = load("mnli", Split::Dev);
  ASSERT_EQ(matched.examples.size(), 2u);
  EXPECT_EQ(matched.examples[0].label, "neutral");  // gold_label (last column), not label1
  EXPECT_EQ(matched.examples[0].guid, "dev_matched-0");
  const auto mismatched = load("mnli-mm", Split::Dev);
  ASSERT_EQ(mismatched.examples.size(), 3u);
  EXPECT_EQ(mismatched.examples[1].label, "entailment");
  EXPECT_EQ(mismatched.examples[2].text_b, "The meal comes with dessert.");
  EXPECT_EQ(load("mnli", Split::Test).examples.at(0).text_b, "The market sells herbs.");
  EXPECT_EQ(load("mnli-mm", Split::Test).examples.at(0).text_b, "So what is your decision?");
  EXPECT_EQ(load("mnli-mm", Split::Train).examples.size(), 4u);
}

TEST(GlueFixtures, QNLIRTEWNLI) {
  REQUIRE_FIXTURES();
  const auto qnli = load("qnli", Split::Train);
  ASSERT_EQ(qnli.examples.size(), 2u);
  EXPECT_EQ(qnli.examples[0].text_a, "When did the bridge open?");
  EXPECT_EQ(qnli.examples[0].label_id, 1);  // not_entailment
  EXPECT_EQ(load("qnli", Split::Test).examples.at(0).text_b, "The city is known for its \"quiet\" harbour.");
  const auto rte = load("rte", Split::Dev);
  ASSERT_EQ(rte.examples.size(), 1u);
  EXPECT_EQ(rte.examples[0].text_b, "The novel was written in Lisbon.");
  EXPECT_EQ(rte.examples[0].label, "not_entailment");
  const auto wnli = load("wnli", Split::Dev);
  ASSERT_EQ(wnli.examples.size(), 2u);
  EXPECT_EQ(wnli.examples[1].label_id, 1);
  EXPECT_EQ(load("wnli", Split::Test).examples.at(0).text_a, "The fish ate the worm because it was hungry.");
}

TEST(GlueFixtures, DataDirMayBeTheTaskFolder) {
  REQUIRE_FIXTURES();
  const TaskSpec& rte = find_task("rte");
  EXPECT_EQ(resolve_task_dir(rte, fixtures_glue()), join_path(fixtures_glue(), "RTE"));
  const auto a = load_task_examples(rte, join_path(fixtures_glue(), "RTE"), Split::Train);
  EXPECT_EQ(a.examples.size(), 2u);
  const std::string msg = error_of([&] { load_task_examples(rte, "/nonexistent", Split::Dev); });
  EXPECT_NE(msg.find("/nonexistent/dev.tsv: no such file"), std::string::npos) << msg;
}

// ---- bad input: each error names file:line ----

TEST(GlueErrors, MalformedRowNamesFileAndLine) {
  const std::string path =
      temp_file("rte_extra.tsv", "index\ts1\ts2\tlabel\n0\ta\tb\tentailment\n1\ta\tb\tc\tentailment\n");
  const std::string msg = error_of([&] { read_task_tsv(find_task("rte"), path, Split::Train); });
  EXPECT_NE(msg.find(path + ":3: malformed row: expected 4 tab-separated fields, found 5"), std::string::npos) << msg;
}

TEST(GlueErrors, MissingColumn) {
  const std::string path = temp_file("cola_short.tsv", "gj04\t1\t\tfine\ngj04\t1\tmissing sentence\n");
  const std::string msg = error_of([&] { read_task_tsv(find_task("cola"), path, Split::Train); });
  EXPECT_NE(msg.find(path + ":2: malformed row: expected 4"), std::string::npos) << msg;

  const std::string header = temp_file("mnli_narrow.tsv", "index\tsentence1\tgold_label\n0\ta\tneutral\n");
  const std::string msg2 = error_of([&] { read_task_tsv(find_task("mnli"), header, Split::Dev); });
  EXPECT_NE(msg2.find(header + ":1: header has 3 columns"), std::string::npos) << msg2;
}

TEST(GlueErrors, EmptyLineIsAMalformedRow) {
  const std::string path = temp_file("sst_blank.tsv", "sentence\tlabel\ngood \t1\n\nbad \t0\n");
  const std::string msg = error_of([&] { read_task_tsv(find_task("sst-2"), path, Split::Train); });
  EXPECT_NE(msg.find(path + ":3: malformed row"), std::string::npos) << msg;
}

TEST(GlueErrors, LabelOutsideTheLabelSet) {
  const std::string path = temp_file("mrpc_label.tsv", "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n2\t1\t2\ta\tb\n");
  const std::string msg = error_of([&] { read_task_tsv(find_task("mrpc"), path, Split::Train); });
  EXPECT_NE(msg.find(path + ":2: label '2' is not one of the mrpc labels (0, 1)"), std::string::npos) << msg;

  const std::string mnli = temp_file("mnli_label.tsv",
                                     "i\tp\tq\tg\tb1\tb2\tp1\tp2\ts1\ts2\tgold_label\n"
                                     "0\t1\t1n\tx\t(\t(\t(\t(\tA.\tB.\tneutral\n"
                                     "1\t1\t1n\tx\t(\t(\t(\t(\tA.\tB.\t-\n");
  const std::string msg2 = error_of([&] { read_task_tsv(find_task("mnli"), mnli, Split::Dev); });
  EXPECT_NE(msg2.find(mnli + ":3: label '-'"), std::string::npos) << msg2;

  // A header line where CoLA (headerless) expects data shows up as a bad label, not as an example.
  const std::string cola = temp_file("cola_header.tsv", "source\tlabel\tmark\tsentence\ngj04\t1\t\tfine\n");
  const std::string msg3 = error_of([&] { read_task_tsv(find_task("cola"), cola, Split::Train); });
  EXPECT_NE(msg3.find(cola + ":1: label 'label'"), std::string::npos) << msg3;
}

TEST(GlueErrors, BadRegressionScore) {
  const std::string head = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n";
  const std::string row = "0\tg\tf\t2012\t0\tnone\tnone\tA.\tB.\t";
  const std::string nan = temp_file("stsb_nan.tsv", head + row + "high\n");
  EXPECT_NE(error_of([&] {
              read_task_tsv(find_task("sts-b"), nan, Split::Dev);
            }).find(nan + ":2: score 'high' is not a number"),
            std::string::npos);
  const std::string range = temp_file("stsb_range.tsv", head + row + "5.5\n");
  EXPECT_NE(
      error_of([&] { read_task_tsv(find_task("sts-b"), range, Split::Dev); }).find(range + ":2: score 5.5 is outside"),
      std::string::npos);
}

TEST(GlueErrors, InvalidUtf8NamesLine) {
  const std::string path =
      temp_file("wnli_utf8.tsv", "index\ts1\ts2\tlabel\n0\tfine\tok\t1\n1\tbad \xFF byte\tok\t0\n");
  const std::string msg = error_of([&] { read_task_tsv(find_task("wnli"), path, Split::Train); });
  EXPECT_NE(msg.find(path + ":3: invalid UTF-8"), std::string::npos) << msg;
}

TEST(GlueErrors, EmptyFileNeedsHeader) {
  const std::string path = temp_file("qnli_empty.tsv", "");
  const std::string msg = error_of([&] { read_task_tsv(find_task("qnli"), path, Split::Dev); });
  EXPECT_NE(msg.find("empty file"), std::string::npos) << msg;
}

TEST(GlueMetrics, PerTaskKeysAsHuggingFace) {
  const auto cola = task_metrics(find_task("cola"), std::vector<int32_t>{1, 1, 1}, std::vector<int32_t>{1, 0, 1});
  EXPECT_EQ(cola.size(), 1u);
  EXPECT_DOUBLE_EQ(cola.at("matthews_correlation"), 0.0);
  const auto mrpc = task_metrics(find_task("mrpc"), std::vector<int32_t>{1, 0, 1, 1}, std::vector<int32_t>{1, 0, 0, 1});
  EXPECT_DOUBLE_EQ(mrpc.at("accuracy"), 0.75);
  EXPECT_DOUBLE_EQ(mrpc.at("f1"), 0.8);
  EXPECT_DOUBLE_EQ(mrpc.at("combined_score"), 0.775);
  const auto rte = task_metrics(find_task("rte"), std::vector<int32_t>{0, 1}, std::vector<int32_t>{0, 0});
  EXPECT_EQ(rte.size(), 1u);
  EXPECT_DOUBLE_EQ(rte.at("accuracy"), 0.5);
  const auto stsb = task_metrics(find_task("sts-b"), std::vector<float>{1, 2, 3, 4}, std::vector<float>{1, 3, 2, 4});
  EXPECT_NEAR(stsb.at("pearson"), 0.8, 1e-12);
  EXPECT_NEAR(stsb.at("spearmanr"), 0.8, 1e-12);
  EXPECT_NEAR(stsb.at("combined_score"), 0.8, 1e-12);
  EXPECT_THROW(task_metrics(find_task("sts-b"), std::vector<int32_t>{1}, std::vector<int32_t>{1}), Error);
  EXPECT_THROW(task_metrics(find_task("rte"), std::vector<float>{1, 2}, std::vector<float>{1, 2}), Error);
}

// ---- the real GLUE files: published sizes ----

class GlueRealFiles : public testing::Test {
 protected:
  void SetUp() override {
    const char* d = std::getenv("EARLYBERT_SHARED_DATA");
    if (d == nullptr || !path_exists(join_path(d, "glue"))) GTEST_SKIP() << "EARLYBERT_SHARED_DATA/glue is absent";
    root_ = join_path(d, "glue");
  }
  size_t count(const std::string& task, Split split) {
    const TaskSpec& t = find_task(task);
    const std::string path = join_path(resolve_task_dir(t, root_), t.file_name(split));
    if (!path_exists(path)) return static_cast<size_t>(-1);
    const auto ex = load_task_examples(t, root_, split);
    EXPECT_EQ(ex.skipped_rows, 0u) << path;
    return ex.examples.size();
  }
  std::string root_;
};

TEST_F(GlueRealFiles, PublishedRowCounts) {
  EXPECT_EQ(count("mrpc", Split::Train), 3668u);
  EXPECT_EQ(count("mrpc", Split::Dev), 408u);
  EXPECT_EQ(count("rte", Split::Train), 2490u);
  EXPECT_EQ(count("rte", Split::Dev), 277u);
  EXPECT_EQ(count("cola", Split::Train), 8551u);
  EXPECT_EQ(count("cola", Split::Dev), 1043u);
  EXPECT_EQ(count("sst-2", Split::Train), 67349u);
  EXPECT_EQ(count("sst-2", Split::Dev), 872u);
  EXPECT_EQ(count("sts-b", Split::Train), 5749u);
  EXPECT_EQ(count("sts-b", Split::Dev), 1500u);
  EXPECT_EQ(count("wnli", Split::Train), 635u);
  EXPECT_EQ(count("wnli", Split::Dev), 71u);
  EXPECT_EQ(count("qnli", Split::Dev), 5463u);
}

TEST_F(GlueRealFiles, UnlabelledTestFilesRead) {
  EXPECT_EQ(count("cola", Split::Test), 1063u);
  EXPECT_EQ(count("mrpc", Split::Test), 1725u);
  EXPECT_EQ(count("rte", Split::Test), 3000u);
  EXPECT_EQ(count("sst-2", Split::Test), 1821u);
  EXPECT_EQ(count("sts-b", Split::Test), 1379u);
  EXPECT_EQ(count("wnli", Split::Test), 146u);
  EXPECT_EQ(count("qnli", Split::Test), 5463u);
}

TEST_F(GlueRealFiles, ContentSpotChecks) {
  const auto mrpc = load_task_examples(find_task("mrpc"), root_, Split::Dev);
  EXPECT_EQ(mrpc.examples.front().line, 2u);  // header skipped after the BOM
  size_t positives = 0;
  for (const auto& e : mrpc.examples) positives += e.label_id == 1;
  EXPECT_EQ(positives, 279u);  // MRPC dev: 68.4% paraphrases
  const auto stsb = load_task_examples(find_task("sts-b"), root_, Split::Dev);
  EXPECT_FLOAT_EQ(stsb.examples.front().label_value, 5.0f);
  const auto cola = load_task_examples(find_task("cola"), root_, Split::Dev);
  EXPECT_EQ(cola.examples.back().line, 1043u);  // last line has no newline
}

}  // namespace
}  // namespace earlybert
