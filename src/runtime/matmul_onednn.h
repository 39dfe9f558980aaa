// Private: the oneDNN path of include/earlybert/runtime/matmul.h.
//
// onednn_gemm() is the raw kernel (one oneDNN matmul primitive per distinct shape, cached);
// onednn_linear() / onednn_matmul() are the autograd functions built on it, called by runtime/matmul.cpp
// only when onednn_built() and the operands qualify (CPU, fp32/bf16, equal batch dims).
#pragma once

#include <ATen/core/Tensor.h>

namespace earlybert::detail {

/// Whether libdnnl was found when this library was configured.
bool onednn_built();

/// out[..., M, N] = alpha · (a[..., M, K] · b[..., K, N]) (+ bias[N]); a and b share their leading dims
/// and dtype (fp32 or bf16); out is allocated by the caller (contiguous, fp32 or bf16); any strides of
/// a and b. alpha != 1 and a bias are not combined. CPU only.
void onednn_gemm(const at::Tensor& a, const at::Tensor& b, const at::Tensor& bias, const at::Tensor& out,
                 double alpha = 1.0);

/// x·Wᵀ + b computed in `compute` (fp32 or bf16), result in `out_dtype`; differentiable (oneDNN backward).
at::Tensor onednn_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, at::ScalarType compute,
                         at::ScalarType out_dtype);

/// alpha·(a·b) batched, computed in `compute`, result in `out_dtype`; differentiable (oneDNN backward).
at::Tensor onednn_matmul(const at::Tensor& a, const at::Tensor& b, double alpha, at::ScalarType compute,
                         at::ScalarType out_dtype);

}  // namespace earlybert::detail
