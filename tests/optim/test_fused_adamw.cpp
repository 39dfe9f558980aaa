// Fused AdamW (include/earlybert/optim/fused_adamw.h): never taken on CPU; on CUDA one fused update
// equals LibTorch's torch::optim::AdamW (skipped without a GPU).
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "earlybert/optim/fused_adamw.h"

namespace earlybert {
namespace {

TEST(FusedAdamW, NotAvailableForCpuTensorsOrNothing) {
  EXPECT_FALSE(fused_adamw_available({}));
  EXPECT_FALSE(fused_adamw_available({torch::zeros({3})}));
}

TEST(FusedAdamW, MatchesLibTorchAdamWOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: the fused kernel runs only on CUDA";
  if (!fused_adamw_available({torch::zeros({1}, torch::kCUDA)})) GTEST_SKIP() << "LibTorch < 2.1: no fused AdamW";
  torch::manual_seed(0);
  const AdamWHyper h{1e-2, 0.9, 0.98, 0.1, 1e-6};
  std::vector<torch::Tensor> params{torch::randn({7, 5}, torch::kCUDA), torch::randn({11}, torch::kCUDA)};
  std::vector<torch::Tensor> reference;
  for (const auto& p : params) reference.push_back(p.clone().requires_grad_());
  torch::optim::AdamW adamw(
      reference, torch::optim::AdamWOptions(h.lr).betas({h.beta1, h.beta2}).weight_decay(h.weight_decay).eps(h.eps));
  std::vector<torch::Tensor> exp_avgs, exp_avg_sqs;
  for (const auto& p : params) {
    exp_avgs.push_back(torch::zeros_like(p));
    exp_avg_sqs.push_back(torch::zeros_like(p));
  }
  for (int64_t step = 1; step <= 3; ++step) {
    std::vector<torch::Tensor> grads;
    for (size_t i = 0; i < params.size(); ++i) {
      grads.push_back(torch::randn_like(params[i]));
      reference[i].mutable_grad() = grads.back().clone();
    }
    fused_adamw_step(params, grads, exp_avgs, exp_avg_sqs, step, h);
    adamw.step();
  }
  for (size_t i = 0; i < params.size(); ++i) {
    EXPECT_LE((params[i] - reference[i].detach()).abs().max().item<double>(), 1e-5) << i;
  }
}

}  // namespace
}  // namespace earlybert
