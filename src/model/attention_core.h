// Private: scaled dot-product attention over projected Q, K, V.
//
// attention_context() is the fast path: with LibTorch ≥ 2.0 on CUDA (and on CPU without dropout) it
// calls at::scaled_dot_product_attention (fused kernels); otherwise batched products through
// runtime/matmul.h with scores and softmax in fp32 and earlybert::dropout on the probabilities.
// attention_context_reference()
// is the plain Hugging Face formulation, kept for tests that check the fast path against it.
#pragma once

#include <ATen/ATen.h>

namespace earlybert::detail {

/// q, k, v [B,S,heads*d]; additive_mask [B,1,1,S] or undefined -> context [B,S,heads*d].
at::Tensor attention_context(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                             const at::Tensor& additive_mask, int64_t heads, int64_t head_dim, double dropout_p,
                             bool training);

/// softmax(q kᵀ/√d + mask) v with explicit 4-D matmuls, as Hugging Face writes it.
at::Tensor attention_context_reference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                       const at::Tensor& additive_mask, int64_t heads, int64_t head_dim,
                                       double dropout_p, bool training);

}  // namespace earlybert::detail
