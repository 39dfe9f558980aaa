// Tests for trainer_state.json (round trip, errors naming keys) and the RNG state capture/restore
// that makes a resumed run draw the same random numbers.
#include "earlybert/train/trainer_state.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "earlybert/base/files.h"
#include "earlybert/prune/early_bird.h"
#include "train_test_util.h"

using namespace earlybert;
using earlybert::test::expect_error;
using earlybert::test::scratch_dir;

namespace {
TrainerState sample_state() {
  TrainerState s;
  s.global_step = 120;
  s.epoch = 1.5;
  s.phase = Phase::Efficient;
  s.max_steps = 400;
  s.num_train_epochs = 5.0;
  s.world_size = 1;
  s.data_position = {1, 40, 3840};
  s.rng = capture_torch_rng_state();
  s.draw_step = 60;
  s.draw_reason = DrawReason::EarlyBird;
  EarlyBirdDetector d(0.1, 2);
  d.observe(20, {{true, false}}, {{true}});
  d.observe(40, {{true, false}}, {{true}});
  s.early_bird = d.to_json();
  s.best_metric = 0.8125;
  s.best_model_checkpoint = "out/checkpoint-100";
  MetricsRecord r;
  r.step = 100;
  r.epoch = 1.25;
  r.phase = Phase::Efficient;
  r.loss = 0.5;
  r.extra = {{"eval_accuracy", 0.8125}, {"eval_loss", 0.45}};
  s.log_history = {r};
  return s;
}
}  // namespace

TEST(TrainerState, JsonRoundTrip) {
  const auto s = sample_state();
  const std::string dir = scratch_dir("trainer_state");
  s.save(dir + "/trainer_state.json");
  const auto back = TrainerState::load(dir + "/trainer_state.json");
  EXPECT_TRUE(back == s);
  EXPECT_EQ(back.to_json(), s.to_json());
  EXPECT_EQ(back.log_history[0].extra[0].first, "eval_accuracy");
  // The embedded detector continues.
  auto d = EarlyBirdDetector::from_json(back.early_bird, "early_bird");
  EXPECT_TRUE(d.observe(60, {{true, false}}, {{true}}));
  // Hugging Face's key names are there.
  const std::string text = read_file(dir + "/trainer_state.json");
  for (const char* key : {"\"global_step\"", "\"log_history\"", "\"best_metric\"", "\"best_model_checkpoint\""})
    EXPECT_NE(text.find(key), std::string::npos) << key;
}

TEST(TrainerState, OptionalPartsMayBeAbsent) {
  TrainerState s;  // fresh: no draw, no detector, no best metric
  const auto back = TrainerState::from_json(s.to_json(), "t.json");
  EXPECT_TRUE(back == s);
  EXPECT_FALSE(back.best_metric.has_value());
  EXPECT_TRUE(back.early_bird.empty());
}

TEST(TrainerState, ErrorsNameFileAndKey) {
  const std::string good = sample_state().to_json();
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    const auto pos = t.find(from);
    EXPECT_NE(pos, std::string::npos) << from;
    return t.replace(pos, from.size(), to);
  };
  expect_error([&] { TrainerState::from_json(replace("\"global_step\": 120", "\"global_step\": \"x\""), "ts.json"); },
               {"ts.json", "global_step"});
  expect_error(
      [&] { TrainerState::from_json(replace("\"phase\": \"efficient\"", "\"phase\": \"warmup\""), "ts.json"); },
      {"ts.json", "phase", "warmup"});
  expect_error([&] { TrainerState::from_json(replace("\"format_version\": 1", "\"format_version\": 9"), "ts.json"); },
               {"ts.json", "format_version"});
  expect_error([&] { TrainerState::from_json(replace("\"batch_in_epoch\": 40", "\"batch\": 40"), "ts.json"); },
               {"ts.json", "data_position.batch_in_epoch"});
  expect_error([&] { TrainerState::from_json(replace("\"torch_cpu\": \"", "\"torch_cpu\": \"*"), "ts.json"); },
               {"ts.json", "rng.torch_cpu", "base64"});
  expect_error([&] { TrainerState::from_json(replace("\"eval_loss\": 0.45", "\"eval_loss\": [1]"), "ts.json"); },
               {"ts.json", "log_history[0].eval_loss"});
  expect_error([&] { TrainerState::from_json(replace("\"log_history\"", "\"history\""), "ts.json"); },
               {"ts.json", "log_history"});
  expect_error([] { TrainerState::load("/nonexistent/trainer_state.json"); }, {"/nonexistent/trainer_state.json"});
}

TEST(TrainerState, TorchRngStateRestoresTheSameNumbers) {
  torch::manual_seed(123);
  (void)torch::rand({3});
  const RngState saved = capture_torch_rng_state();
  const auto first = torch::rand({5});
  const auto drop = torch::empty({4}).bernoulli_(0.5);  // dropout masks come from the same generator
  restore_torch_rng_state(saved);
  EXPECT_TRUE(torch::equal(torch::rand({5}), first));
  EXPECT_TRUE(torch::equal(torch::empty({4}).bernoulli_(0.5), drop));
  RngState bad = saved;
  bad.torch_cpu = "short";
  expect_error([&] { restore_torch_rng_state(bad, "trainer_state.json: key 'rng'"); }, {"rng", "torch_cpu"});
}
