// PruningPlan: JSON round trip, bad files, fitting a model, masks <-> plan, random tickets.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "earlybert/base/files.h"
#include "earlybert/prune/pruning_plan.h"
#include "model/tiny_model.h"

namespace earlybert {
namespace {

using nlohmann::json;
using test::expect_error;

PruningPlan example_plan() {
  PruningPlan p;
  p.layers.push_back({4, 12, {0, 2, 3}, {1, 4, 5, 9}});
  p.layers.push_back({4, 12, {1}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}});
  return p;
}

TEST(PruningPlan, JsonRoundTrip) {
  const auto p = example_plan();
  const auto back = PruningPlan::from_json(p.to_json(), "plan.json");
  EXPECT_EQ(back, p);
  EXPECT_EQ(back.kept_heads(), 4);
  EXPECT_EQ(back.kept_neurons(), 16);
  const std::string dir = ::testing::TempDir() + "earlybert_plan_test";
  const std::string path = join_path(dir, "plan.json");
  p.save(path);
  EXPECT_EQ(PruningPlan::load(path), p);
  remove_all(dir);
}

TEST(PruningPlan, BadFiles) {
  const json good = json::parse(example_plan().to_json());
  auto bad = [&](const std::function<void(json&)>& edit, const std::vector<std::string>& parts) {
    json j = good;
    edit(j);
    auto all = parts;
    all.push_back("p.json");
    expect_error([&] { PruningPlan::from_json(j.dump(), "p.json"); }, all);
  };
  bad([](json& j) { j.erase("layers"); }, {"layers", "missing"});
  bad([](json& j) { j["format"] = "something else"; }, {"format"});
  bad([](json& j) { j["version"] = 7; }, {"version"});
  bad([](json& j) { j["layers"] = 3; }, {"layers", "array"});
  bad([](json& j) { j["layers"][1].erase("kept_heads"); }, {"layers[1].kept_heads", "missing"});
  bad([](json& j) { j["layers"][0]["kept_heads"] = {0, "2"}; }, {"layers[0].kept_heads[1]", "integer"});
  bad([](json& j) { j["layers"][0]["kept_heads"] = {0, 4}; }, {"layer 0", "kept_heads", "out of range"});
  bad([](json& j) { j["layers"][0]["kept_heads"] = {2, 0}; }, {"layer 0", "increasing"});
  bad([](json& j) { j["layers"][1]["kept_neurons"] = json::array(); }, {"layer 1", "kept_neurons", "at least one"});
  bad([](json& j) { j["layers"][0]["num_heads"] = 0; }, {"layer 0", "num_heads"});
  expect_error([] { PruningPlan::from_json("{", "p.json"); }, {"p.json", "malformed"});
}

TEST(PruningPlan, APlanThatDoesNotFitTheModel) {
  auto c = test::tiny_config();
  EXPECT_NO_THROW(validate_plan(example_plan(), c));
  auto three_layers = c;
  three_layers.num_hidden_layers = 3;
  expect_error([&] { validate_plan(example_plan(), three_layers, "plan.json"); }, {"plan.json", "2 layers", "3"});
  auto pruned = c;
  pruned.heads_per_layer = {4, 2};
  expect_error([&] { validate_plan(example_plan(), pruned, "plan.json"); }, {"layer 1", "num_heads"});
  auto wider = c;
  wider.intermediate_size = 16;
  expect_error([&] { validate_plan(example_plan(), wider); }, {"layer 0", "intermediate_size"});
  auto p = example_plan();
  p.layers[1].kept_neurons.push_back(12);
  expect_error([&] { validate_plan(p, c); }, {"layer 1", "neuron index 12"});
  p = example_plan();
  p.layers[0].kept_heads.clear();
  expect_error([&] { validate_plan(p, c); }, {"layer 0", "keeps no head"});
}

TEST(PruningPlan, FromMasksAndBack) {
  const LayerMasks heads = {{true, false, true, true}, {false, true, false, false}};
  const LayerMasks neurons = {{false, true, false, false, true, true, false, false, false, true, false, false},
                              std::vector<bool>(12, true)};
  const auto plan = plan_from_masks(heads, neurons);
  EXPECT_EQ(plan, example_plan());
  EXPECT_EQ(plan_head_masks(plan), heads);
  EXPECT_EQ(plan_neuron_masks(plan), neurons);
  expect_error([&] { plan_from_masks({{false, false}}, {{true}}); }, {"layer 0", "keeps no head"});
  expect_error([&] { plan_from_masks(heads, {{true}}); }, {"layers"});
  const auto full = full_plan(test::tiny_config());
  EXPECT_EQ(full.kept_heads(), 8);
  EXPECT_EQ(full.kept_neurons(), 24);
}

TEST(PruningPlan, RandomPlanKeepsCountsAndIsDeterministic) {
  const auto like = example_plan();
  const auto a = random_plan(like, 42);
  const auto b = random_plan(like, 42);
  EXPECT_EQ(a, b);
  EXPECT_NO_THROW(validate_plan(a, test::tiny_config()));
  for (size_t l = 0; l < like.layers.size(); ++l) {
    EXPECT_EQ(a.layers[l].kept_heads.size(), like.layers[l].kept_heads.size());
    EXPECT_EQ(a.layers[l].kept_neurons.size(), like.layers[l].kept_neurons.size());
    EXPECT_TRUE(std::is_sorted(a.layers[l].kept_heads.begin(), a.layers[l].kept_heads.end()));
  }
  // Different seeds give different tickets (over many draws, not all equal).
  int differ = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) differ += random_plan(like, seed) != a;
  EXPECT_GE(differ, 15);
  // Every neuron is chosen sometimes: uniform, not biased to low indices.
  std::vector<int> hits(12, 0);
  for (uint64_t seed = 0; seed < 200; ++seed) {
    const auto plan = random_plan(like, seed);
    for (int64_t n : plan.layers[0].kept_neurons) ++hits[static_cast<size_t>(n)];
  }
  for (int h : hits) EXPECT_GT(h, 30);  // expected 200 * 4/12 ≈ 67
}

TEST(PruningPlan, RandomPlanIsPinnedForAGivenSeed) {
  // mt19937_64 is fully specified by the standard and the sampling is ours: the ticket for a seed
  // never changes across platforms or releases.
  PruningPlan like;
  like.layers.push_back({8, 10, {0, 1, 2}, {0, 1, 2, 3}});
  const auto p = random_plan(like, 1234);
  const auto again = random_plan(like, 1234);
  EXPECT_EQ(p, again);
  EXPECT_EQ(p.layers[0].kept_heads.size(), 3u);
  std::mt19937_64 rng(1234);
  // First draw picks index uniform_below(8) for position 0 of the heads.
  const uint64_t x = rng();
  const int64_t first = static_cast<int64_t>(x % 8);
  EXPECT_NE(std::find(p.layers[0].kept_heads.begin(), p.layers[0].kept_heads.end(), first),
            p.layers[0].kept_heads.end());
}

}  // namespace
}  // namespace earlybert
