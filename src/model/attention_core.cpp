// Scaled dot-product attention: the LibTorch-version-dependent fast path and the reference path.
#include "model/attention_core.h"

#include <torch/version.h>

#include "earlybert/model/dropout.h"
#include "earlybert/runtime/matmul.h"

#include <cmath>

namespace earlybert::detail {

namespace {

// [B,S,heads*d] -> [B,heads,S,d] (a view).
at::Tensor split_heads(const at::Tensor& x, int64_t heads, int64_t head_dim) {
  return x.view({x.size(0), x.size(1), heads, head_dim}).transpose(1, 2);
}

// [B,heads,S,d] -> [B,S,heads*d] (one copy).
at::Tensor merge_heads(const at::Tensor& x) {
  return x.transpose(1, 2).reshape({x.size(0), x.size(2), x.size(1) * x.size(3)});
}

}  // namespace

at::Tensor attention_context(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                             const at::Tensor& additive_mask, int64_t heads, int64_t head_dim, double dropout_p,
                             bool training) {
  const double p = training ? dropout_p : 0.0;
#if TORCH_VERSION_MAJOR >= 2
  // Fused attention (flash / memory-efficient on CUDA, a blocked kernel on CPU). Its default scale is
  // 1/sqrt(head_dim). The mask must match the query's dtype (bf16 under autocast). On CPU with dropout
  // it would fall back to the unfused math path with ATen's serial dropout, so the path below is used.
  if (!q.device().is_cpu() || p == 0.0) {
    c10::optional<at::Tensor> mask;  // empty, not an undefined tensor, when there is no padding
    if (additive_mask.defined()) mask = additive_mask.to(q.scalar_type());
    auto ctx = at::scaled_dot_product_attention(split_heads(q, heads, head_dim), split_heads(k, heads, head_dim),
                                                split_heads(v, heads, head_dim), mask, p, false);
    return merge_heads(ctx);
  }
#endif
  // Batched products on the [B, heads, S, d] views through the kernel layer (runtime/matmul.h), which
  // takes strided operands as they are (oneDNN) or copies them (ATen). The 1/sqrt(d) scale and the mask
  // are folded into the scores product; the scores come out in fp32 even when q is bf16 (autocast), so
  // that the softmax and its statistics are fp32 (LibTorch 1.13's CPU autocast would keep them bf16).
  const double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
  const auto qh = split_heads(q, heads, head_dim), kh = split_heads(k, heads, head_dim);
  const auto vh = split_heads(v, heads, head_dim);
  const auto score_dtype = at::promote_types(q.scalar_type(), at::kFloat);  // fp32, or double in tests
  at::Tensor mask;  // [B,1,1,S], broadcast over heads and query rows
  if (additive_mask.defined()) mask = additive_mask.to(score_dtype);
  const auto scores = earlybert::matmul(qh, kh.transpose(-1, -2), scale, mask, score_dtype);
  auto probs = at::softmax(scores, -1);
  probs = earlybert::dropout(probs, p, true);
  return merge_heads(earlybert::matmul(probs, vh));
}

at::Tensor attention_context_reference(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                       const at::Tensor& additive_mask, int64_t heads, int64_t head_dim,
                                       double dropout_p, bool training) {
  auto scores = at::matmul(split_heads(q, heads, head_dim), split_heads(k, heads, head_dim).transpose(-1, -2));
  scores = scores / std::sqrt(static_cast<double>(head_dim));
  if (additive_mask.defined()) scores = scores + additive_mask.to(scores.scalar_type());
  auto probs = at::softmax(scores, -1);
  if (training && dropout_p > 0.0) probs = at::dropout(probs, dropout_p, true);
  return merge_heads(at::matmul(probs, split_heads(v, heads, head_dim)));
}

}  // namespace earlybert::detail
