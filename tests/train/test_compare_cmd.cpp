// `earlybert compare` ($EARLYBERT_CLI) over two real run directories of the tiny fine-tuning setup: a
// dense run and an EarlyBERT run, the table and JSON it prints, and errors naming missing files.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "child_process.h"
#include "earlybert/base/files.h"
#include "earlybert/train/trainer.h"
#include "train/trainer_test_util.h"

namespace fs = std::filesystem;

namespace earlybert {
namespace {

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

class CompareCmd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const char* cli = std::getenv("EARLYBERT_CLI");
    if (cli == nullptr || !path_exists(cli)) return;
    root_ = test::scratch_dir("compare");
    // A dense run and an EarlyBERT run (drawn by the search bound) of the same tiny task and budget.
    TrainingArguments dense = test::tiny_finetune_args(root_ + "/dense");
    dense.ticket_mode = TicketMode::None;
    Trainer(dense, make_task(dense)).train();
    TrainingArguments eb = test::tiny_finetune_args(root_ + "/earlybert");
    eb.ticket_threshold = 0.1;
    eb.max_search_steps = 10;
    Trainer(eb, make_task(eb)).train();
  }

  static void TearDownTestSuite() {
    if (!root_.empty()) earlybert::remove_all(root_);
  }

  void SetUp() override {
    const char* cli = std::getenv("EARLYBERT_CLI");
    if (cli == nullptr || !path_exists(cli)) GTEST_SKIP() << "EARLYBERT_CLI is not set or missing";
    cli_ = cli;
  }

  /// Runs `earlybert compare <args>` through the shell (scratch paths hold no spaces).
  CliRun compare(const std::string& args) const {
    const std::string out = root_ + "/stdout", err = root_ + "/stderr";
    const int raw = test::run_shell(cli_ + " compare " + args + " >" + out + " 2>" + err);
    CliRun r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = read_file(out);
    r.err = read_file(err);
    return r;
  }

  static std::string root_;
  std::string cli_;
};

std::string CompareCmd::root_;

/// The cells of the table row whose label is `label` (columns are separated by two or more spaces).
std::string row(const std::string& table, const std::string& label) {
  size_t pos = 0;
  while (pos < table.size()) {
    const size_t eol = table.find('\n', pos);
    const std::string line = table.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos);
    if (line.rfind(label + "  ", 0) == 0) return line;
    if (eol == std::string::npos) break;
    pos = eol + 1;
  }
  return "";
}

TEST_F(CompareCmd, TablePutsTheRunsSideBySide) {
  const CliRun r = compare(root_ + "/dense " + root_ + "/earlybert/");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(row(r.out, "run").find("dense"), std::string::npos) << r.out;
  EXPECT_NE(row(r.out, "run").find("earlybert"), std::string::npos) << r.out;  // trailing '/' ignored
  EXPECT_NE(row(r.out, "task").find("sst2"), std::string::npos) << r.out;
  const std::string modes = row(r.out, "ticket_mode");
  EXPECT_NE(modes.find("none"), std::string::npos) << r.out;
  EXPECT_NE(modes.find("early_bird"), std::string::npos) << r.out;
  EXPECT_FALSE(row(r.out, "eval_accuracy").empty()) << r.out;
  EXPECT_FALSE(row(r.out, "eval_loss").empty()) << r.out;
  EXPECT_TRUE(row(r.out, "eval_runtime").empty()) << r.out;  // timings are rows of their own
  // The EarlyBERT run drew within its search bound; the dense run did not draw at all.
  const std::string draw = row(r.out, "draw step (reason)");
  EXPECT_NE(draw.find(" - "), std::string::npos) << draw;
  EXPECT_TRUE(draw.find("(early_bird)") != std::string::npos || draw.find("(max_search_steps)") != std::string::npos)
      << draw;
  // 2 layers of 4 heads, 1/3 removed per layer (floor): 6 of 8 kept; 40% of 64 FFN neurons removed.
  EXPECT_NE(row(r.out, "heads kept").find("6/8"), std::string::npos) << r.out;
  EXPECT_NE(row(r.out, "FFN neurons kept").find("/64"), std::string::npos) << r.out;
  EXPECT_NE(row(r.out, "parameters").find('%'), std::string::npos) << r.out;
  for (const char* label : {"search time", "efficient training time", "dense training time", "total time",
                            "time saved vs dense", "tokens/s dense", "tokens/s search", "tokens/s efficient"})
    EXPECT_FALSE(row(r.out, label).empty()) << label << "\n" << r.out;
}

TEST_F(CompareCmd, JsonAndMetricSelection) {
  const CliRun r = compare("--json --metric accuracy " + root_ + "/dense " + root_ + "/earlybert");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_TRUE(j[0].contains("eval_accuracy"));
  EXPECT_FALSE(j[0].contains("eval_loss"));  // only the metric asked for
  EXPECT_EQ(j[0]["draw_step"].get<int64_t>(), -1);
  EXPECT_GT(j[1]["draw_step"].get<int64_t>(), 0);
  EXPECT_LE(j[1]["draw_step"].get<int64_t>(), 10);
  EXPECT_EQ(j[1]["heads_kept"].get<int64_t>(), 6);
  EXPECT_EQ(j[0]["time_saved"].get<double>(), 0.0);
  const double saved = j[0]["train_runtime"].get<double>() - j[1]["train_runtime"].get<double>();
  EXPECT_DOUBLE_EQ(j[1]["time_saved"].get<double>(), saved);
  EXPECT_GT(j[1]["search_runtime"].get<double>(), 0.0);
  EXPECT_GT(j[1]["efficient_runtime"].get<double>(), 0.0);
  EXPECT_EQ(j[1]["dense_runtime"].get<double>(), 0.0);
  EXPECT_LT(j[1]["params_final"].get<int64_t>(), j[1]["params_initial"].get<int64_t>());

  const CliRun unknown = compare("--metric bleu " + root_ + "/dense");
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("--metric"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("bleu"), std::string::npos) << unknown.err;
}

TEST_F(CompareCmd, MissingFilesAreErrorsNamingThePath) {
  const CliRun none = compare(root_ + "/dense " + root_ + "/no-such-run");
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.err.find(root_ + "/no-such-run"), std::string::npos) << none.err;

  for (const char* file : {"eval_results.json", "trainer_state.json", "metrics.jsonl", "ticket.json"}) {
    const std::string copy = root_ + "/partial-" + file;
    earlybert::remove_all(copy);
    fs::copy(root_ + "/earlybert", copy, fs::copy_options::recursive);
    fs::remove(copy + "/" + file);
    const CliRun r = compare(root_ + "/dense " + copy);
    EXPECT_EQ(r.status, 2) << file;
    EXPECT_NE(r.err.find(copy + "/" + file), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;  // one line
  }
  // A malformed file names the file and the key.
  const std::string bad = root_ + "/bad-eval";
  earlybert::remove_all(bad);
  fs::copy(root_ + "/dense", bad, fs::copy_options::recursive);
  write_file_atomic(bad + "/eval_results.json", "{\"eval_accuracy\": 0.5, \"train_runtime\": \"fast\"}");
  const CliRun r = compare(bad);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(bad + "/eval_results.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("train_runtime"), std::string::npos) << r.err;
}

// --tickets: two dense seeds, a ticket drawn at update 4 (fixed step), the random-structure and the
// random re-init controls, all on one schedule of 12 updates (efficient_schedule continue: the whole run
// is the budget), so every control counts; the check prints every criterion with its numbers. (Under
// restart a ticket's budget is its updates after the draw: experiments.tickets_smoke.)
TEST_F(CompareCmd, TicketsPrintsTheWinningTicketCheckWithItsEvidence) {
  const std::string dir = root_ + "/tickets";
  std::vector<std::string> runs;
  auto train = [&](const std::string& name, TicketMode mode, int64_t seed, const std::string& ticket = "") {
    TrainingArguments a = test::tiny_finetune_args(dir + "/" + name);
    a.ticket_mode = mode;
    a.seed = seed;
    a.max_steps = 12;
    a.ticket_step = 4;
    a.ticket = ticket;
    Trainer(a, make_task(a)).train();
    runs.push_back(a.output_dir);
  };
  train("dense-3", TicketMode::None, 3);
  train("dense-4", TicketMode::None, 4);
  train("ticket-3", TicketMode::FixedStep, 3);
  train("random-3", TicketMode::Random, 3);
  train("reinit-3", TicketMode::Reinit, 3, dir + "/ticket-3/ticket.json");
  std::string args = "--tickets --metric accuracy";
  for (const auto& r : runs) args += " " + r;
  const CliRun r = compare(args);
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* part :
       {"ticket strategy fixed_step (accuracy)", "budget 12 updates", "dense ", "(n=2)", "within the dense seed spread",
        "better than random structure", "better than random re-init", "only one learning rate tried", "verdict: "})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  for (const char* missing : {"no dense runs", "no random-structure runs", "no random re-init runs"})
    EXPECT_EQ(r.out.find(missing), std::string::npos) << missing << "\n" << r.out;
  // Only controls and dense runs: nothing to check, said in one line.
  const CliRun none = compare("--tickets " + runs[0] + " " + runs[3]);
  EXPECT_NE(none.status, 0);
  EXPECT_NE(none.err.find("no ticket runs"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace earlybert
