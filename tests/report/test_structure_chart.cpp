// Per-layer structure from a plan and from a config, and its picture: one square per head (kept or
// removed), FFN bars proportional to the widths.
#include <gtest/gtest.h>

#include <string>

#include "earlybert/model/bert_config.h"
#include "earlybert/prune/pruning_plan.h"
#include "earlybert/report/structure_chart.h"
#include "report/report_test_util.h"

namespace earlybert::report {
namespace {

using test::all_matches;
using test::count_of;

TEST(ModelStructure, FromPlan) {
  PruningPlan plan;
  plan.layers = {{4, 32, {0, 2, 3}, {0, 1, 3, 5}}, {4, 32, {0, 1, 2}, {7}}};
  const auto s = structure_from_plan(plan);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].head_kept, (std::vector<bool>{true, false, true, true}));
  EXPECT_EQ(s[1].head_kept, (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(s[0].neurons_total, 32);
  EXPECT_EQ(s[0].neurons_kept, 4);
  EXPECT_EQ(s[1].neurons_kept, 1);
  EXPECT_EQ(kept_heads(s), 6);
  EXPECT_EQ(total_heads(s), 8);
  EXPECT_EQ(kept_neurons(s), 5);
  EXPECT_EQ(total_neurons(s), 64);
  EXPECT_EQ(kept_heads(s), plan.kept_heads());
  EXPECT_EQ(kept_neurons(s), plan.kept_neurons());
}

TEST(ModelStructure, FromConfig) {
  BertConfig dense = BertConfig::preset("bert-mini");
  auto s = structure_from_config(dense);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_EQ(kept_heads(s), 16);
  EXPECT_EQ(total_heads(s), 16);
  EXPECT_EQ(kept_neurons(s), 4 * 1024);

  // A pruned config as the trainer writes it: per-layer widths and Hugging Face's pruned_heads.
  BertConfig pruned = dense;
  pruned.heads_per_layer = {3, 4, 3, 4};
  pruned.pruned_heads = {{0, {1}}, {2, {3}}};
  pruned.intermediate_sizes = {600, 700, 800, 900};
  pruned.validate("test");
  s = structure_from_config(pruned);
  EXPECT_EQ(s[0].head_kept, (std::vector<bool>{true, false, true, true}));
  EXPECT_EQ(s[1].head_kept, (std::vector<bool>{true, true, true, true}));
  EXPECT_EQ(s[2].head_kept, (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(s[3].neurons_kept, 900);
  EXPECT_EQ(s[3].neurons_total, 1024);
  EXPECT_EQ(kept_heads(s), 14);
}

TEST(StructureChart, OneSquarePerHeadAndProportionalBars) {
  StructureChart c;
  c.id = "structure-1";
  c.title = "earlybert";
  c.subtitle = "ticket drawn at step 12 (early_bird)";
  c.layers = {{4, {true, false, true, true}, 32, 21}, {4, {true, true, true, false}, 16, 16}};
  c.color = "#D55E00";
  const std::string html = render_structure_chart(c);
  EXPECT_EQ(count_of(html, ": kept</title>"), 6u);
  EXPECT_EQ(count_of(html, ": removed</title>"), 2u);
  EXPECT_NE(html.find("layer 0, head 1: removed"), std::string::npos);
  EXPECT_NE(html.find("layer 1, head 3: removed"), std::string::npos);
  EXPECT_NE(html.find(">21/32 (65.6%)</text>"), std::string::npos);
  EXPECT_NE(html.find(">16/16 (100.0%)</text>"), std::string::npos);
  // FFN bars: the pale full-width bar of layer 1 (16 neurons) is half as long as layer 0's (32).
  const auto full = all_matches(html, R"re(width="([0-9.]+)" height="[0-9.]+" fill="#D55E00" fill-opacity="0.18")re");
  ASSERT_EQ(full.size(), 2u);
  EXPECT_NEAR(std::stod(full[1]), std::stod(full[0]) / 2, 0.01);
  EXPECT_NE(html.find("<span class=\"sub\">ticket drawn at step 12 (early_bird)</span>"), std::string::npos);
  test::expect_well_formed_xml(html);
}

TEST(StructureChart, NoLayersSaysSo) {
  StructureChart c;
  c.title = "x";
  const std::string html = render_structure_chart(c);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("no structure recorded"), std::string::npos);
}

}  // namespace
}  // namespace earlybert::report
