// AdamW in one fused CUDA kernel per parameter group (LibTorch >= 2.1: at::_fused_adamw_).
//
// MultiTensorAdamW (train/multi_tensor_adamw.h) updates a group with about eight _foreach_ kernels;
// LibTorch 2.x also has the single kernel PyTorch's `AdamW(fused=True)` uses, which reads each
// parameter, gradient and moment once. MultiTensorAdamW takes it for a group whose tensors all live
// on one CUDA device, and keeps its _foreach_ path everywhere else (CPU, LibTorch 1.x). The
// arithmetic is torch.optim.AdamW's: decoupled weight decay p -= lr·wd·p, then the bias-corrected
// Adam update with eps added to sqrt(v̂), in fp32 (the kernel's opmath for fp32 parameters).
// Checked on CUDA against LibTorch's AdamW by tests/optim/test_fused_adamw.cpp, which skips without a
// GPU; not yet run on one (docs/PERFORMANCE.md).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace earlybert {

struct AdamWHyper {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double weight_decay = 0.0;
  double eps = 1e-8;
};

/// Whether this LibTorch has the fused kernel and every tensor of `params` is a floating-point tensor on
/// one CUDA device.
bool fused_adamw_available(const std::vector<at::Tensor>& params);

/// One AdamW update of tensors that share the step count `step` (already incremented: 1 on the first
/// update), weight decay included. The moments are updated in place. Only where fused_adamw_available().
void fused_adamw_step(const std::vector<at::Tensor>& params, const std::vector<at::Tensor>& grads,
                      const std::vector<at::Tensor>& exp_avgs, const std::vector<at::Tensor>& exp_avg_sqs, int64_t step,
                      const AdamWHyper& hyper);

}  // namespace earlybert
