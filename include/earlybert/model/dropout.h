// Dropout that is fast on CPU.
//
// ATen's CPU dropout draws its Bernoulli mask one element at a time from a single generator; on a
// 2-core machine that serial loop alone took ~9% of a bert-small training step (profiled with
// scripts/bench/pytorch_baseline.py). Here the CPU mask comes from a counter-based hash instead: one
// 64-bit seed is drawn from LibTorch's default CPU generator per call (so torch::manual_seed and a
// saved/restored generator state reproduce it exactly), and element i keeps its value iff
// hash(seed, i) ≥ p·2³², computed in parallel. The result does not depend on the thread count.
// Elsewhere (CUDA, integer tensors) it is at::dropout, whose fused kernels are already fast.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>

namespace earlybert {

/// Inverted dropout: while training, zeroes each element with probability p and scales the others
/// by 1/(1-p); returns x itself when not training or p == 0. Differentiable with respect to x.
at::Tensor dropout(const at::Tensor& x, double p, bool training);

/// The CPU keep-mask dropout() uses for `seed`: same shape as `like`, values 0 or 1/(1-p) in its dtype.
/// Exposed so that tests can check the mask's statistics and determinism directly.
at::Tensor dropout_mask(const at::Tensor& like, double p, uint64_t seed);

}  // namespace earlybert
