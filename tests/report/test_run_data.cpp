// read_run_data over real run directories (a dense run, a drawn EarlyBERT run, a search that never
// drew), checked against the trainer's own readers; and errors that name the file and the key.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "earlybert/base/files.h"
#include "earlybert/prune/ticket.h"
#include "earlybert/report/run_data.h"
#include "earlybert/train/metrics_log.h"
#include "earlybert/train/trainer_state.h"
#include "expect_error.h"
#include "report/real_runs.h"

namespace fs = std::filesystem;

namespace earlybert::report {
namespace {

using earlybert::test::expect_error;
using test::real_runs;

size_t training_lines(const std::string& dir) {
  size_t n = 0;
  for (const auto& rec : read_metrics_jsonl(dir + "/metrics.jsonl")) n += rec.phase == Phase::Eval ? 0 : 1;
  return n;
}

TEST(RunData, DenseRun) {
  const std::string dir = real_runs().dense;
  const RunData r = read_run_data(dir);
  EXPECT_EQ(r.name, "dense");
  EXPECT_EQ(r.task, "sst2");
  EXPECT_EQ(r.ticket_mode, "none");
  EXPECT_EQ(r.global_step, 30);
  EXPECT_EQ(r.draw_step, -1);
  EXPECT_FALSE(r.ticket.has_value());
  EXPECT_EQ(r.training.size(), training_lines(dir));
  for (const auto& p : r.training) EXPECT_EQ(p.phase, Phase::Dense);
  for (const auto& p : r.training) EXPECT_TRUE(std::isfinite(p.loss));
  // Evaluations at steps 10, 20, 30 (the last one is the final evaluation).
  ASSERT_GE(r.evaluations.size(), 3u);
  EXPECT_EQ(r.evaluations.front().step, 10);
  EXPECT_EQ(r.evaluations.front().metrics.count("eval_accuracy"), 1u);
  EXPECT_EQ(r.evaluations.front().metrics.count("eval_runtime"), 0u);  // timings are not metrics
  EXPECT_EQ(r.metrics.count("eval_accuracy"), 1u);
  EXPECT_EQ(r.metrics.count("eval_runtime"), 0u);
  EXPECT_GT(r.times.dense, 0);
  EXPECT_EQ(r.times.search, 0);
  EXPECT_GE(r.times.total, r.times.dense + r.times.eval);
  EXPECT_EQ(r.params_initial, r.params_final);
  EXPECT_EQ(r.tokens_per_s.count(Phase::Dense), 1u);
  // Structure of a dense run: config.json's 2 layers of 4 heads and 32 neurons, all kept.
  EXPECT_EQ(r.structure_source, "config.json");
  EXPECT_EQ(kept_heads(r.structure), 8);
  EXPECT_EQ(total_heads(r.structure), 8);
  EXPECT_EQ(kept_neurons(r.structure), 64);
}

TEST(RunData, EarlyBertRunAgreesWithTheTrainersFiles) {
  const std::string dir = real_runs().earlybert;
  const RunData r = read_run_data(dir);
  const TrainerState state = TrainerState::load(dir + "/trainer_state.json");
  const Ticket ticket = Ticket::load(dir + "/ticket.json");
  ASSERT_GT(r.draw_step, 0);
  EXPECT_LE(r.draw_step, 10);
  EXPECT_EQ(r.draw_step, state.draw_step);
  EXPECT_EQ(r.draw_reason, state.draw_reason);
  // Search up to the draw, efficient training after it.
  for (const auto& p : r.training)
    EXPECT_EQ(p.phase, p.step <= r.draw_step ? Phase::Search : Phase::Efficient) << p.step;
  ASSERT_TRUE(r.ticket.has_value());
  EXPECT_EQ(r.ticket->draw_step, ticket.draw_step);
  // The allowed distances: the threshold, or one swapped unit's distance (2 / entries) when
  // ticket_min_swaps asks for that floor and it is larger.
  int64_t heads = 0, neurons = 0;
  for (const auto& l : ticket.plan.layers) heads += l.num_heads, neurons += l.intermediate_size;
  ASSERT_GT(heads, 0);
  const double swaps = static_cast<double>(ticket.ticket_min_swaps);
  EXPECT_DOUBLE_EQ(r.ticket->allowed_heads, std::max(ticket.ticket_threshold_heads, 2 * swaps / heads));
  EXPECT_DOUBLE_EQ(r.ticket->allowed_ffn, std::max(ticket.ticket_threshold_ffn, 2 * swaps / neurons));
  EXPECT_DOUBLE_EQ(ticket.ticket_threshold_heads, 0.1);
  EXPECT_EQ(r.ticket->window, 2);
  ASSERT_EQ(r.ticket->distances.size(), ticket.distance_history.size());
  for (size_t i = 0; i < r.ticket->distances.size(); ++i) {
    const auto& mine = r.ticket->distances[i];
    const auto& theirs = ticket.distance_history[i];
    EXPECT_EQ(mine.step, theirs.step);
    EXPECT_EQ(mine.heads.has_value(), theirs.dist_heads >= 0);
    if (mine.heads) {
      EXPECT_DOUBLE_EQ(*mine.heads, theirs.dist_heads);
    }
    EXPECT_EQ(mine.window_max_ffn.has_value(), theirs.window_max_ffn >= 0);
  }
  EXPECT_FALSE(r.ticket->distances.front().heads.has_value());  // the first check has nothing to compare with
  EXPECT_EQ(r.structure_source, "ticket.json");
  EXPECT_EQ(kept_heads(r.structure), ticket.plan.kept_heads());
  EXPECT_EQ(kept_neurons(r.structure), ticket.plan.kept_neurons());
  EXPECT_EQ(kept_heads(r.structure), 6);  // 1/3 of 4 heads (floor: 1) removed per layer
  EXPECT_LT(*r.params_final, *r.params_initial);
  EXPECT_GT(r.times.search, 0);
  EXPECT_GT(r.times.efficient, 0);
  EXPECT_EQ(r.tokens_per_s.count(Phase::Search), 1u);
  EXPECT_EQ(r.tokens_per_s.count(Phase::Efficient), 1u);
}

TEST(RunData, SearchThatNeverDrewKeepsItsDistances) {
  const std::string dir = real_runs().searching;
  ASSERT_FALSE(path_exists(dir + "/ticket.json"));  // the precondition of this test
  const RunData r = read_run_data(dir);
  EXPECT_EQ(r.draw_step, -1);
  ASSERT_TRUE(r.ticket.has_value());
  EXPECT_NE(r.ticket->source.find("checkpoint-6/ticket.json"), std::string::npos) << r.ticket->source;
  EXPECT_EQ(r.ticket->draw_step, -1);
  const Ticket in_checkpoint = Ticket::load(r.ticket->source);
  EXPECT_FALSE(in_checkpoint.drawn());
  EXPECT_EQ(r.ticket->distances.size(), in_checkpoint.distance_history.size());
  EXPECT_GE(r.ticket->distances.size(), 2u);  // checks every 2 steps of 6
  EXPECT_EQ(r.structure_source, "config.json");
  EXPECT_EQ(kept_heads(r.structure), 8);
  for (const auto& p : r.training) EXPECT_EQ(p.phase, Phase::Search);
}

/// A copy of a real run to break.
std::string copy_of(const std::string& run, const std::string& name) {
  const std::string copy = real_runs().root + "/" + name;
  earlybert::remove_all(copy);
  fs::copy(run, copy, fs::copy_options::recursive);
  return copy;
}

TEST(RunData, MissingFilesNameThePath) {
  expect_error([] { read_run_data(real_runs().root + "/no-such-run"); }, {real_runs().root + "/no-such-run"});
  for (const char* file : {"eval_results.json", "trainer_state.json", "metrics.jsonl", "ticket.json"}) {
    const std::string copy = copy_of(real_runs().earlybert, std::string("missing-") + file);
    fs::remove(copy + "/" + file);
    expect_error([&] { read_run_data(copy); }, {copy + "/" + file, "missing"});
  }
  // Optional files may be absent.
  const std::string copy = copy_of(real_runs().dense, "no-optional");
  for (const char* file : {"train_results.json", "config.json", "config.yaml"}) fs::remove(copy + "/" + file);
  const RunData r = read_run_data(copy);
  EXPECT_FALSE(r.params_final.has_value());
  EXPECT_TRUE(r.structure.empty());
  EXPECT_EQ(r.task, "");
}

TEST(RunData, MalformedFilesNameTheFileAndKey) {
  const std::string run = real_runs().earlybert;
  std::string copy = copy_of(run, "bad-eval");
  write_file_atomic(copy + "/eval_results.json", "{\"eval_accuracy\": 0.5, \"train_runtime\": \"fast\"}");
  expect_error([&] { read_run_data(copy); }, {copy + "/eval_results.json", "train_runtime"});
  write_file_atomic(copy + "/eval_results.json", "{\"eval_accuracy\": ");
  expect_error([&] { read_run_data(copy); }, {copy + "/eval_results.json", "malformed JSON"});

  copy = copy_of(run, "bad-metric");
  std::string eval = read_file(copy + "/eval_results.json");
  eval.replace(eval.find("\"eval_accuracy\": "), 17, "\"eval_accuracy\": \"high\", \"x\": ");
  write_file_atomic(copy + "/eval_results.json", eval);
  expect_error([&] { read_run_data(copy); }, {copy + "/eval_results.json", "eval_accuracy"});

  copy = copy_of(run, "bad-train-results");
  std::string results = read_file(copy + "/train_results.json");
  results.replace(results.find("\"params_final\": "), 16, "\"params_final\": \"many\", \"z\": ");
  write_file_atomic(copy + "/train_results.json", results);
  expect_error([&] { read_run_data(copy); }, {copy + "/train_results.json", "params_final"});

  copy = copy_of(run, "bad-phase");
  std::string metrics = read_file(copy + "/metrics.jsonl");
  metrics.replace(metrics.find("\"phase\":\"search\""), 16, "\"phase\":\"warmup\"");
  write_file_atomic(copy + "/metrics.jsonl", metrics);
  expect_error([&] { read_run_data(copy); }, {copy + "/metrics.jsonl", "phase", "warmup"});

  copy = copy_of(run, "bad-ticket");
  std::string ticket = read_file(copy + "/ticket.json");
  ticket.replace(ticket.find("\"ticket_threshold_heads\": "), 26, "\"ticket_threshold_heads\": \"low\", \"y\": ");
  write_file_atomic(copy + "/ticket.json", ticket);
  expect_error([&] { read_run_data(copy); }, {copy + "/ticket.json", "ticket_threshold_heads"});

  copy = copy_of(run, "bad-state");
  write_file_atomic(copy + "/trainer_state.json", "[]");
  expect_error([&] { read_run_data(copy); }, {copy + "/trainer_state.json"});
}

}  // namespace
}  // namespace earlybert::report
