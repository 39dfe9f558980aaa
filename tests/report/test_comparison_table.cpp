// comparison_rows on constructed runs: every row `earlybert compare` prints, with its cells.
#include <gtest/gtest.h>

#include <map>

#include "earlybert/report/comparison_table.h"
#include "report/report_test_util.h"

namespace earlybert::report {
namespace {

std::map<std::string, std::vector<std::string>> by_label(const std::vector<TableRow>& rows) {
  std::map<std::string, std::vector<std::string>> m;
  for (const auto& r : rows) m[r.label] = r.cells;
  return m;
}

TEST(ComparisonRows, CompareRowsForADenseAndAnEarlyBertRun) {
  const auto rows = comparison_rows({test::dense_run(), test::earlybert_run()});
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.front().label, "run");
  const auto m = by_label(rows);
  using V = std::vector<std::string>;
  EXPECT_EQ(m.at("run"), (V{"dense", "earlybert"}));
  EXPECT_EQ(m.at("task"), (V{"sst2", "sst2"}));
  EXPECT_EQ(m.at("ticket_mode"), (V{"none", "early_bird"}));
  EXPECT_EQ(m.at("eval_accuracy"), (V{"0.8100", "0.7900"}));
  EXPECT_EQ(m.at("eval_loss"), (V{"0.4500", "nan"}));
  EXPECT_EQ(m.at("updates"), (V{"40", "40"}));
  EXPECT_EQ(m.at("draw step (reason)"), (V{"-", "12 (early_bird)"}));
  EXPECT_EQ(m.at("heads kept"), (V{"all", "6/8"}));
  EXPECT_EQ(m.at("FFN neurons kept"), (V{"all", "38/64"}));
  EXPECT_EQ(m.at("parameters"), (V{"11.18M", "10.08M (90.2%)"}));
  EXPECT_EQ(m.at("search time"), (V{"-", "20.0s"}));
  EXPECT_EQ(m.at("efficient training time"), (V{"-", "1m00s"}));
  EXPECT_EQ(m.at("dense training time"), (V{"1m40s", "-"}));
  EXPECT_EQ(m.at("evaluation time"), (V{"8.0s", "6.0s"}));
  EXPECT_EQ(m.at("total time"), (V{"1m55s", "1m32s"}));
  EXPECT_EQ(m.at("time saved vs dense"), (V{"-", "23.0s (20.0%)"}));
  EXPECT_EQ(m.at("tokens/s search"), (V{"-", "6898"}));
  EXPECT_EQ(m.at("tokens/s efficient"), (V{"-", "8598"}));
  EXPECT_EQ(m.at("tokens/s dense"), (V{"6963", "-"}));
  // compare's order: labels, metrics, then the rest.
  EXPECT_EQ(rows[3].label, "eval_accuracy");
  EXPECT_EQ(rows[4].label, "eval_loss");
  EXPECT_EQ(rows.back().label, "tokens/s dense");
}

TEST(ComparisonRows, SlowerRunAndMissingFields) {
  RunData a = test::earlybert_run("fast");
  RunData b = test::dense_run("slow");
  b.task.clear();
  b.ticket_mode.clear();
  b.params_final.reset();
  b.metrics = {{"eval_f1", 88.1}};
  b.tokens_per_s.clear();
  const auto m = by_label(comparison_rows({a, b}));
  using V = std::vector<std::string>;
  EXPECT_EQ(m.at("time saved vs fast"), (V{"-", "-23.0s (-25.0%)"}));
  EXPECT_EQ(m.at("task"), (V{"sst2", "?"}));
  EXPECT_EQ(m.at("ticket_mode"), (V{"early_bird", "?"}));
  EXPECT_EQ(m.at("parameters").at(1), "?");
  EXPECT_EQ(m.at("eval_f1"), (V{"-", "88.10"}));
  EXPECT_EQ(m.at("eval_accuracy"), (V{"0.7900", "-"}));
  EXPECT_EQ(m.count("tokens/s dense"), 0u);  // no run has it
}

TEST(ComparisonRows, NoRunsNoRows) { EXPECT_TRUE(comparison_rows({}).empty()); }

}  // namespace
}  // namespace earlybert::report
