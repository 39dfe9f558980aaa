// Mixed-precision switches (include/earlybert/runtime/precision.h): names, the bf16/fp16 flags, the
// hardware query, the autocast guard and TF32.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <fstream>
#include <sstream>
#include <string>

#include "earlybert/runtime/precision.h"
#include "expect_error.h"

namespace earlybert {
namespace {

TEST(Precision, NamesRoundTripAndUnknownNamesAreErrors) {
  for (auto p : {Precision::Fp32, Precision::Bf16, Precision::Fp16})
    EXPECT_EQ(parse_enum<Precision>(to_string(p), "--dtype"), p);
  EXPECT_EQ(to_string(Precision::Bf16), "bf16");
  test::expect_error([] { parse_enum<Precision>("float16", "--dtype"); },
                     {"--dtype: unknown precision 'float16'", "fp16"});
  EXPECT_EQ(compute_dtype(Precision::Fp32), torch::kFloat32);
  EXPECT_EQ(compute_dtype(Precision::Bf16), torch::kBFloat16);
  EXPECT_EQ(compute_dtype(Precision::Fp16), torch::kHalf);
}

TEST(Precision, TogglesAreSpelledLikeHuggingFaceBooleansPlusAuto) {
  EXPECT_EQ(parse_enum<Toggle>("true", "bf16"), Toggle::On);
  EXPECT_EQ(parse_enum<Toggle>("false", "bf16"), Toggle::Off);
  EXPECT_EQ(parse_enum<Toggle>("auto", "bf16"), Toggle::Auto);
  EXPECT_EQ(to_string(Toggle::On), "true");
  test::expect_error([] { parse_enum<Toggle>("maybe", "config.yaml: key 'bf16'"); },
                     {"config.yaml: key 'bf16'", "false, true, auto", "'maybe'"});
}

bool cpuinfo_has(const std::string& flag) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::string w;
    while (words >> w) {
      if (w == flag) return true;
    }
    return false;
  }
  return false;
}

TEST(Precision, Bf16IsFastExactlyWhereTheCpuHasBf16DotProducts) {
  // Reference: the flags the kernel reports, independent of the CPUID code under test.
  EXPECT_EQ(bf16_is_fast(torch::kCPU), cpuinfo_has("avx512_bf16") || cpuinfo_has("amx_bf16"));
}

TEST(Precision, ResolvingTheFlags) {
  const torch::Device cpu(torch::kCPU);
  EXPECT_EQ(resolve_precision(Toggle::Off, false, cpu), Precision::Fp32);
  EXPECT_EQ(resolve_precision(Toggle::On, false, cpu), Precision::Bf16);  // honoured even where slow
  EXPECT_EQ(resolve_precision(Toggle::Auto, false, cpu), bf16_is_fast(cpu) ? Precision::Bf16 : Precision::Fp32);
  test::expect_error([&] { resolve_precision(Toggle::On, true, cpu); }, {"fp16", "cannot both be on"});
  test::expect_error([&] { resolve_precision(Toggle::Off, true, cpu); }, {"fp16", "needs a CUDA device"});
  EXPECT_EQ(resolve_precision(Toggle::Off, true, torch::Device(torch::kCUDA, 0)), Precision::Fp16);
  EXPECT_EQ(resolve_precision(Toggle::Auto, true, torch::Device(torch::kCUDA, 0)), Precision::Fp16);
}

TEST(AutocastGuardTest, Bf16OnCpuCastsProductsForItsScopeAndRestores) {
  const auto x = torch::randn({4, 8}), w = torch::randn({3, 8});
  EXPECT_FALSE(active_autocast_dtype(torch::kCPU).has_value());
  {
    AutocastGuard guard(Precision::Bf16, torch::kCPU);
    ASSERT_TRUE(active_autocast_dtype(torch::kCPU).has_value());
    EXPECT_EQ(*active_autocast_dtype(torch::kCPU), torch::kBFloat16);
    EXPECT_EQ(at::linear(x, w).scalar_type(), torch::kBFloat16);
    {
      AutocastGuard inner(Precision::Fp32, torch::kCPU);  // fp32 does nothing: still bf16 here
      EXPECT_EQ(at::linear(x, w).scalar_type(), torch::kBFloat16);
    }
    EXPECT_FALSE(active_autocast_dtype(torch::kCUDA).has_value());
  }
  EXPECT_FALSE(active_autocast_dtype(torch::kCPU).has_value());
  EXPECT_EQ(at::linear(x, w).scalar_type(), torch::kFloat32);
}

TEST(AutocastGuardTest, ClearsTheCastWeightCacheWhenTheOutermostScopeEnds) {
  // A weight updated between two guarded forwards must not be read from a stale bf16 copy.
  auto w = torch::ones({2, 2}).requires_grad_();
  const auto x = torch::ones({1, 2});
  {
    AutocastGuard guard(Precision::Bf16, torch::kCPU);
    EXPECT_EQ(at::linear(x, w).sum().item<float>(), 4.0f);
  }
  {
    torch::NoGradGuard no_grad;
    w.mul_(3.0);
  }
  AutocastGuard guard(Precision::Bf16, torch::kCPU);
  EXPECT_EQ(at::linear(x, w).sum().item<float>(), 12.0f);
}

TEST(AutocastGuardTest, Fp16OnCpuIsAnErrorBecauseLibTorchCpuAutocastSupportsOnlyBf16) {
  EXPECT_FALSE(autocast_supported(Precision::Fp16, torch::kCPU));
  EXPECT_TRUE(autocast_supported(Precision::Bf16, torch::kCPU));
  test::expect_error([] { AutocastGuard guard(Precision::Fp16, torch::kCPU); },
                     {"fp16 autocast is not supported on cpu", "only bf16"});
  EXPECT_FALSE(active_autocast_dtype(torch::kCPU).has_value());  // nothing left enabled by the failure
}

TEST(AutocastGuardTest, Fp16AndBf16OnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: fp16/bf16 CUDA autocast not exercised";
  const auto x = torch::randn({4, 8}, torch::kCUDA), w = torch::randn({3, 8}, torch::kCUDA);
  for (auto p : {Precision::Fp16, Precision::Bf16}) {
    AutocastGuard guard(p, torch::kCUDA);
    EXPECT_EQ(at::linear(x, w).scalar_type(), compute_dtype(p));
    EXPECT_EQ(at::layer_norm(at::linear(x, w), {3}).scalar_type(), torch::kFloat32);  // CUDA autocast's fp32 list
  }
  EXPECT_EQ(at::linear(x, w).scalar_type(), torch::kFloat32);
}

TEST(Tf32, SwitchSetsAndRestoresCublasFlag) {
  const bool before = tf32_enabled();
  set_tf32(true);
  EXPECT_TRUE(tf32_enabled());
  EXPECT_TRUE(at::globalContext().allowTF32CuDNN());
  set_tf32(false);
  EXPECT_FALSE(tf32_enabled());
  EXPECT_FALSE(at::globalContext().allowTF32CuDNN());
  set_tf32(before);
}

}  // namespace
}  // namespace earlybert
