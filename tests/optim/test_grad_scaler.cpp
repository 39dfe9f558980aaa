// Dynamic loss scaling (include/earlybert/optim/grad_scaler.h): an inf/NaN gradient skips the step and
// halves the scale, finite steps grow it on schedule, unscaling restores the true gradients, the state
// round-trips through JSON; and fp16 where LibTorch supports it (CUDA), skipped with the reason on CPU.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <limits>

#include "earlybert/optim/grad_scaler.h"
#include "earlybert/runtime/precision.h"
#include "expect_error.h"

namespace earlybert {
namespace {

struct Fixture {
  torch::Tensor w = torch::tensor({1.0f, -2.0f, 3.0f}).requires_grad_();
  torch::Tensor b = torch::tensor({0.5f}).requires_grad_();
  torch::optim::SGD sgd{std::vector<torch::Tensor>{w, b}, torch::optim::SGDOptions(0.1)};

  torch::Tensor loss(float x = 1.0f) { return (w * x).pow(2).sum() + b.sum() * x; }
};

TEST(GradScalerTest, DefaultsAreTorchAmps) {
  GradScaler s;
  EXPECT_TRUE(s.enabled());
  EXPECT_EQ(s.get_scale(), 65536.0);
  EXPECT_EQ(s.options().growth_factor, 2.0);
  EXPECT_EQ(s.options().backoff_factor, 0.5);
  EXPECT_EQ(s.options().growth_interval, 2000);
}

TEST(GradScalerTest, ScaledBackwardThenUnscaleGivesTheTrueGradients) {
  Fixture f, ref;
  ref.loss().backward();
  GradScaler s;
  const auto scaled = s.scale(f.loss());
  EXPECT_FLOAT_EQ(scaled.item<float>(), 65536.0f * ref.loss().item<float>());
  scaled.backward();
  EXPECT_FLOAT_EQ(f.w.grad()[2].item<float>(), 65536.0f * 6.0f);
  s.unscale(f.sgd);
  EXPECT_TRUE(torch::equal(f.w.grad(), ref.w.grad()));  // power-of-two scale: exact
  EXPECT_TRUE(torch::equal(f.b.grad(), ref.b.grad()));
  EXPECT_FALSE(s.found_inf());
  EXPECT_TRUE(s.step(f.sgd));
  EXPECT_FLOAT_EQ(f.w[2].item<float>(), 3.0f - 0.1f * 6.0f);
  s.update();
  test::expect_error(
      [&] {
        s.unscale(f.sgd);
        s.unscale(f.sgd);
      },
      {"GradScaler", "already called"});
}

TEST(GradScalerTest, InfiniteGradientSkipsTheStepAndHalvesTheScale) {
  for (float bad : {std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()}) {
    Fixture f;
    GradScaler s(GradScalerOptions{1024.0, 2.0, 0.5, 3, true});
    // Two finite steps first, so that the growth tracker has something to reset.
    for (int i = 0; i < 2; ++i) {
      f.sgd.zero_grad();
      s.scale(f.loss()).backward();
      EXPECT_TRUE(s.step(f.sgd));
      s.update();
    }
    EXPECT_EQ(s.growth_tracker(), 2);
    const auto w_before = f.w.detach().clone(), b_before = f.b.detach().clone();
    f.sgd.zero_grad();
    s.scale(f.loss(bad)).backward();
    EXPECT_FALSE(s.step(f.sgd)) << bad;
    EXPECT_TRUE(s.found_inf());
    EXPECT_TRUE(torch::equal(f.w.detach(), w_before)) << "the parameters must not change";
    EXPECT_TRUE(torch::equal(f.b.detach(), b_before));
    s.update();
    EXPECT_EQ(s.get_scale(), 512.0) << bad;
    EXPECT_EQ(s.growth_tracker(), 0);
    EXPECT_FALSE(s.found_inf());
  }
}

TEST(GradScalerTest, OptimizerStateIsUntouchedBySkippedSteps) {
  // AdamW keeps moments and a step count: a skipped step must not advance them.
  auto w = torch::ones({4}).requires_grad_();
  torch::optim::AdamW adamw(std::vector<torch::Tensor>{w}, torch::optim::AdamWOptions(0.1));
  GradScaler s(GradScalerOptions{8.0, 2.0, 0.5, 100, true});
  s.scale((w * 2).sum()).backward();
  ASSERT_TRUE(s.step(adamw));
  s.update();
  const auto& state = static_cast<torch::optim::AdamWParamState&>(*adamw.state().begin()->second);
  const auto exp_avg = state.exp_avg().clone();
  adamw.zero_grad();
  s.scale((w * std::numeric_limits<float>::infinity()).sum()).backward();
  EXPECT_FALSE(s.step(adamw));
  s.update();
  EXPECT_EQ(state.step(), 1);
  EXPECT_TRUE(torch::equal(state.exp_avg(), exp_avg));
  EXPECT_EQ(s.get_scale(), 4.0);
}

TEST(GradScalerTest, FiniteStepsGrowTheScaleEveryGrowthInterval) {
  Fixture f;
  GradScaler s(GradScalerOptions{4.0, 2.0, 0.5, 3, true});
  std::vector<double> scales;
  for (int i = 0; i < 7; ++i) {
    f.sgd.zero_grad();
    s.scale(f.loss(0.01f)).backward();
    EXPECT_TRUE(s.step(f.sgd));
    s.update();
    scales.push_back(s.get_scale());
  }
  EXPECT_EQ(scales, (std::vector<double>{4, 4, 8, 8, 8, 16, 16}));
  EXPECT_EQ(s.growth_tracker(), 1);
}

TEST(GradScalerTest, DisabledScalerPassesThrough) {
  Fixture f;
  GradScaler s(GradScalerOptions{65536.0, 2.0, 0.5, 2000, false});
  const auto loss = f.loss();
  EXPECT_TRUE(s.scale(loss).is_same(loss));
  EXPECT_EQ(s.get_scale(), 1.0);
  loss.backward();
  const auto g = f.w.grad().clone();
  s.unscale(f.sgd);
  EXPECT_TRUE(torch::equal(f.w.grad(), g));
  EXPECT_TRUE(s.step(f.sgd));
  s.update();
  EXPECT_EQ(s.get_scale(), 1.0);
}

TEST(GradScalerTest, StateRoundTripsThroughJsonWithPyTorchKeys) {
  Fixture f;
  GradScaler s(GradScalerOptions{256.0, 2.0, 0.25, 5, true});
  f.sgd.zero_grad();
  s.scale(f.loss()).backward();
  s.step(f.sgd);
  s.update();
  const std::string text = s.to_json();
  for (const char* key :
       {"\"scale\"", "\"growth_factor\"", "\"backoff_factor\"", "\"growth_interval\"", "\"_growth_tracker\""}) {
    EXPECT_NE(text.find(key), std::string::npos) << key;
  }
  GradScaler restored;
  restored.load_json(text, "scaler.json");
  EXPECT_EQ(restored.get_scale(), 256.0);
  EXPECT_EQ(restored.growth_tracker(), 1);
  EXPECT_EQ(restored.options().backoff_factor, 0.25);
  EXPECT_EQ(restored.options().growth_interval, 5);
  EXPECT_EQ(restored.to_json(), text);
}

TEST(GradScalerTest, BadOptionsAndBadStateAreErrors) {
  test::expect_error([] { GradScaler s(GradScalerOptions{0.0, 2.0, 0.5, 10, true}); }, {"init_scale", "positive"});
  test::expect_error([] { GradScaler s(GradScalerOptions{1.0, 1.0, 0.5, 10, true}); }, {"growth_factor", "> 1"});
  test::expect_error([] { GradScaler s(GradScalerOptions{1.0, 2.0, 1.5, 10, true}); }, {"backoff_factor"});
  test::expect_error([] { GradScaler s(GradScalerOptions{1.0, 2.0, 0.5, 0, true}); }, {"growth_interval", ">= 1"});
  GradScaler s;
  test::expect_error([&] { s.load_json("{\"scale\": 2.0}", "ckpt/scaler.json"); },
                     {"ckpt/scaler.json: key 'growth_factor'", "missing"});
  test::expect_error(
      [&] {
        s.load_json(R"({"scale": -1, "growth_factor": 2, "backoff_factor": 0.5, "growth_interval": 3,
                       "_growth_tracker": 0})",
                    "ckpt/scaler.json");
      },
      {"ckpt/scaler.json: key 'scale'", "positive"});
  test::expect_error(
      [&] {
        s.load_json(R"({"scale": 4, "growth_factor": 2, "backoff_factor": 0.5, "growth_interval": 3,
                       "_growth_tracker": 3})",
                    "ckpt/scaler.json");
      },
      {"ckpt/scaler.json: key '_growth_tracker'"});
  test::expect_error([&] { s.load_json("not json", "ckpt/scaler.json"); }, {"ckpt/scaler.json", "malformed JSON"});
}

TEST(GradScalerTest, Fp16TrainingStepOnCuda) {
  // fp16 autocast exists only on CUDA (LibTorch's CPU autocast refuses fp16: see test_precision.cpp).
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: fp16 autocast runs only on CUDA";
  auto w = torch::randn({16, 8}, torch::kCUDA).requires_grad_();
  torch::optim::AdamW adamw(std::vector<torch::Tensor>{w}, torch::optim::AdamWOptions(1e-2));
  GradScaler s;
  const auto x = torch::randn({32, 8}, torch::kCUDA);
  double first = 0, last = 0;
  for (int i = 0; i < 50; ++i) {
    adamw.zero_grad();
    torch::Tensor loss;
    {
      AutocastGuard autocast(Precision::Fp16, torch::kCUDA);
      const auto y = at::linear(x, w);
      EXPECT_EQ(y.scalar_type(), torch::kHalf);
      loss = y.to(torch::kFloat32).pow(2).mean();
    }
    s.scale(loss).backward();
    EXPECT_EQ(w.grad().scalar_type(), torch::kFloat32);
    s.step(adamw);
    s.update();
    if (i == 0) first = loss.item<double>();
    last = loss.item<double>();
  }
  EXPECT_LT(last, 0.5 * first);
}

}  // namespace
}  // namespace earlybert
