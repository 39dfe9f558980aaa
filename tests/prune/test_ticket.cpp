// ticket.json and the pure ticket helpers.
#include <gtest/gtest.h>

#include "earlybert/base/files.h"
#include "earlybert/prune/draw_rule.h"
#include "earlybert/prune/ticket.h"
#include "expect_error.h"
#include "scratch_dir.h"
#include "test_paths.h"

namespace earlybert {
namespace {

using test::expect_error;

BertConfig four_head_config() {
  BertConfig c;
  c.vocab_size = 40;
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 4;
  c.intermediate_size = 10;
  return c;
}

Ticket sample_ticket() {
  const TicketOptions options;
  Ticket t = Ticket::for_options(options, 400);
  SlimmingScores scores;
  scores.heads = {{0.9f, 0.1f, 0.5f, 0.7f}, {0.2f, 0.8f, 0.3f, 0.6f}};
  scores.ffn = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}};
  const TicketMasks masks = current_masks(scores, options.ratios);
  t.coefficient_snapshots.push_back(make_snapshot(20, scores, masks, false));
  t.coefficient_snapshots.push_back(make_snapshot(40, scores, masks, true));
  EarlyBirdDetector d(0.1, 1);
  d.observe(20, masks.heads, masks.ffn);
  d.observe(40, masks.heads, masks.ffn);
  t.distance_history = d.history();
  t.draw_step = 40;
  t.reason = DrawReason::EarlyBird;
  t.plan = plan_from_masks(masks.heads, masks.ffn);
  return t;
}

TEST(Ticket, MasksFollowTheRunsRatiosAndMethods) {
  PruningRatios ratios;  // 1/3 of the heads layerwise, 40% of the neurons globally
  SlimmingScores scores;
  scores.heads = {{0.9f, 0.1f, 0.5f, 0.7f}, {0.2f, 0.8f, 0.3f, 0.6f}};
  scores.ffn = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}};
  const TicketMasks m = current_masks(scores, ratios);
  EXPECT_EQ(m.heads, (LayerMasks{{true, false, true, true}, {false, true, true, true}}));
  // 8 of 20 neurons removed globally: the four smallest of each layer here.
  EXPECT_EQ(count_kept(m.ffn), 12);
  EXPECT_FALSE(m.ffn[0][0]);
  EXPECT_FALSE(m.ffn[1][9]);
  ratios.ffn_scope = PruneScope::Layerwise;  // 4 of each layer's 10: the same neurons here
  EXPECT_EQ(current_masks(scores, ratios).ffn, m.ffn);
  ratios.ffn = 1.5;
  expect_error([&] { current_masks(scores, ratios); }, {"ratio"});
}

TEST(Ticket, JsonRoundTripKeepsEverything) {
  const Ticket t = sample_ticket();
  const Ticket back = Ticket::from_json(t.to_json(), "ticket.json");
  EXPECT_EQ(back, t);
  EXPECT_EQ(back.kept_heads_per_layer(), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(back.coefficient_snapshots[0].ffn.size(), 0u);
  EXPECT_EQ(back.coefficient_snapshots[1].ffn.size(), 2u);
  EXPECT_EQ(back.distance_history[1].dist_heads, 0.0);
  const std::string text = t.to_json();
  for (const char* key : {"\"draw_step\": 40", "\"reason\": \"early_bird\"", "\"kept_heads_per_layer\"",
                          "\"kept_neurons_per_layer\"", "\"distance_history\"", "\"coefficient_snapshots\""})
    EXPECT_NE(text.find(key), std::string::npos) << key;
}

TEST(Ticket, BadFilesAreErrorsNamingTheKey) {
  const std::string dir = test::scratch_dir("ticket_bad");
  const std::string path = dir + "/ticket.json";
  write_file_atomic(path, "{\"format\": \"something else\", \"version\": 1}");
  expect_error([&] { Ticket::load(path); }, {path, "format"});
  Ticket t = sample_ticket();
  t.draw_step = -1;
  t.reason = DrawReason::NotYet;
  t.plan = {};
  t.save(path);
  EXPECT_FALSE(Ticket::load(path).drawn());
  expect_error([&] { Ticket::load_drawn(path); }, {path, "draw_step"});
  std::string text = sample_ticket().to_json();
  text.replace(text.find("\"plan\""), 6, "\"plan_\"");
  write_file_atomic(path, text);
  expect_error([&] { Ticket::load(path); }, {path, "plan"});
  write_file_atomic(path, "{not json");
  expect_error([&] { Ticket::load(path); }, {path});
}

TEST(Ticket, RandomTicketKeepsLayerwiseCountsAndDependsOnTheSeed) {
  const PruningRatios ratios;
  const BertConfig c = four_head_config();
  const PruningPlan a = random_ticket_plan(c, ratios, 1);
  ASSERT_EQ(a.layers.size(), 2u);
  for (const auto& l : a.layers) {
    EXPECT_EQ(l.kept_heads.size(), 3u);    // 4 - units_to_prune(4, 1/3)
    EXPECT_EQ(l.kept_neurons.size(), 6u);  // 10 - units_to_prune(10, 0.4)
  }
  EXPECT_EQ(random_ticket_plan(c, ratios, 1), a);
  bool differs = false;
  for (int64_t seed = 2; seed < 12 && !differs; ++seed) {
    differs = random_ticket_plan(c, ratios, static_cast<uint64_t>(seed)) != a;
  }
  EXPECT_TRUE(differs);
}

TEST(Ticket, AlreadyPrunedByRecognisesTheTicketsShapes) {
  const BertConfig c = four_head_config();
  PruningPlan plan;
  for (int l = 0; l < 2; ++l) plan.layers.push_back({4, 10, {0, 2, 3}, {0, 1, 2, 3, 4, 5}});
  EXPECT_FALSE(already_pruned_by(c, plan));
  BertConfig pruned = c;
  pruned.heads_per_layer = {3, 3};
  pruned.intermediate_sizes = {6, 6};
  pruned.pruned_heads = {{0, {1}}, {1, {1}}};
  EXPECT_TRUE(already_pruned_by(pruned, plan));
  pruned.pruned_heads = {{0, {1}}, {1, {0}}};  // another head removed in layer 1
  EXPECT_FALSE(already_pruned_by(pruned, plan));
}

}  // namespace
}  // namespace earlybert
