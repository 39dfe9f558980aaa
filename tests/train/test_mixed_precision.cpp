// MixedPrecision (include/earlybert/train/mixed_precision.h): the keys resolved on a device, the fp16
// loss scaler's skip/backoff with the skipped update kept out of the schedule, and scaler.json.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "earlybert/base/files.h"
#include "earlybert/train/mixed_precision.h"
#include "earlybert/train/run_files.h"
#include "train/trainer_test_util.h"

namespace earlybert {
namespace {

using test::expect_error;
using test::scratch_dir;

std::vector<torch::Tensor> params_with_grads(std::vector<float> grad) {
  auto p = torch::zeros({static_cast<int64_t>(grad.size())}).requires_grad_();
  p.mutable_grad() = torch::tensor(grad);
  return {p};
}

TEST(MixedPrecision, KeysResolveOnTheDevice) {
  const torch::Device cpu(torch::kCPU);
  MixedPrecisionOptions o;
  EXPECT_EQ(MixedPrecision(o, cpu).precision(), Precision::Fp32);
  o.bf16 = Toggle::On;
  EXPECT_EQ(MixedPrecision(o, cpu).precision(), Precision::Bf16);
  o.bf16 = Toggle::Auto;
  EXPECT_EQ(MixedPrecision(o, cpu).precision(), bf16_is_fast(cpu) ? Precision::Bf16 : Precision::Fp32);
  o.bf16 = Toggle::Off;
  o.fp16 = true;
  expect_error([&] { MixedPrecision(o, cpu); }, {"fp16", "needs a CUDA device"});
  o.bf16 = Toggle::On;
  expect_error([&] { MixedPrecision(o, cpu); }, {"fp16", "cannot both be on"});
}

TEST(MixedPrecision, WithoutFp16NothingIsScaledOrCounted) {
  MixedPrecision bf16(Precision::Bf16);
  const auto loss = torch::tensor(0.75);
  EXPECT_TRUE(bf16.scale(loss).equal(loss));
  auto params = params_with_grads({std::numeric_limits<float>::infinity(), 1.0f});
  EXPECT_TRUE(bf16.unscale_gradients(params));  // the trainer's own norm check handles fp32/bf16
  EXPECT_EQ(params[0].grad()[1].item<float>(), 1.0f);
  bf16.after_update(false);
  EXPECT_EQ(bf16.skipped_updates(), 0);
  EXPECT_EQ(bf16.schedule_step(7), 7);
  EXPECT_EQ(bf16.loss_scale(), 1.0);
  const std::string dir = scratch_dir("mp_nofile");
  bf16.save(dir);
  EXPECT_FALSE(path_exists(dir + "/" + run_files::kScaler));
  EXPECT_NO_THROW(bf16.load(dir));  // nothing to read
}

TEST(MixedPrecision, Fp16SkipsAnInfiniteGradientLowersTheScaleAndHoldsTheSchedule) {
  GradScalerOptions so;
  so.init_scale = 1024.0;
  so.growth_interval = 3;
  MixedPrecision fp16(Precision::Fp16, so);
  EXPECT_EQ(fp16.scale(torch::tensor(0.5)).item<double>(), 512.0);

  // A finite update: gradients divided by the scale, applied, nothing skipped.
  auto params = params_with_grads({2048.0f, -512.0f});
  EXPECT_TRUE(fp16.unscale_gradients(params));
  EXPECT_TRUE(params[0].grad().equal(torch::tensor({2.0f, -0.5f})));
  fp16.after_update(true);
  EXPECT_EQ(fp16.loss_scale(), 1024.0);
  EXPECT_EQ(fp16.schedule_step(1), 1);

  // An infinite gradient: not applied, the scale halves, the update does not count for the schedule.
  params = params_with_grads({1.0f, std::numeric_limits<float>::infinity()});
  EXPECT_FALSE(fp16.unscale_gradients(params));
  fp16.after_update(false);
  EXPECT_EQ(fp16.loss_scale(), 512.0);
  EXPECT_EQ(fp16.skipped_updates(), 1);
  EXPECT_EQ(fp16.schedule_step(2), 1);  // the LR of update 3 is the schedule's at 1, as update 2's was
  params = params_with_grads({std::nanf(""), 0.0f});
  EXPECT_FALSE(fp16.unscale_gradients(params));
  fp16.after_update(false);
  EXPECT_EQ(fp16.loss_scale(), 256.0);
  EXPECT_EQ(fp16.skipped_updates(), 2);

  // growth_interval finite updates in a row double it again.
  for (int i = 0; i < 3; ++i) {
    params = params_with_grads({1.0f});
    EXPECT_TRUE(fp16.unscale_gradients(params));
    fp16.after_update(true);
  }
  EXPECT_EQ(fp16.loss_scale(), 512.0);
}

TEST(MixedPrecision, Fp16ScalerStateSurvivesACheckpoint) {
  GradScalerOptions so;
  so.init_scale = 4096.0;
  so.growth_interval = 5;
  MixedPrecision a(Precision::Fp16, so);
  auto params = params_with_grads({std::numeric_limits<float>::infinity()});
  a.unscale_gradients(params);
  a.after_update(false);
  params = params_with_grads({1.0f});
  a.unscale_gradients(params);
  a.after_update(true);
  const std::string dir = scratch_dir("mp_scaler");
  a.save(dir);
  ASSERT_TRUE(path_exists(dir + "/" + run_files::kScaler));

  MixedPrecision b(Precision::Fp16, GradScalerOptions{});
  b.load(dir);
  EXPECT_EQ(b.loss_scale(), 2048.0);
  EXPECT_EQ(b.skipped_updates(), 1);
  // The growth tracker came back too: four more finite updates reach growth_interval = 5.
  for (int i = 0; i < 4; ++i) {
    params = params_with_grads({1.0f});
    b.unscale_gradients(params);
    b.after_update(true);
  }
  EXPECT_EQ(b.loss_scale(), 4096.0);

  const std::string empty = scratch_dir("mp_scaler_missing");
  expect_error([&] { b.load(empty); }, {"scaler.json", "missing"});
  write_file_atomic(dir + "/" + run_files::kScaler, "{\"scaler\": {\"scale\": 1.0}, \"skipped_updates\": 0}");
  expect_error([&] { b.load(dir); }, {"scaler.json", "growth_factor"});
}

}  // namespace
}  // namespace earlybert
