// The model's matrix products, on the fastest correct kernel of the machine.
//
// Every matrix product of the BERT model goes through linear() or matmul() below: the Q/K/V and output
// projections, the FFN, pooler, classifier and MLM head (linear), and the attention scores and context
// (matmul) — forward and backward. Each call picks one of two kernel paths:
//
//   OneDnn  oneDNN's matmul primitive (libdnnl, the library LibTorch 1.13 links for its own mkldnn ops),
//           in a custom autograd function whose backward also runs on oneDNN: grad_input = dy·W,
//           grad_weight = dyᵀ·x (written in the weight's dtype, fp32, straight from the bf16 product),
//           grad_bias = Σ dy in fp32. fp32 and bf16; CPU tensors only.
//   Aten    plain LibTorch (at::linear, at::matmul/baddbmm): the system BLAS for fp32 on CPU, oneDNN
//           for bf16 on CPU (LibTorch 1.13 sends bf16 matmuls there itself), cuBLAS on CUDA. Also every
//           case the OneDnn path does not take (double, fp16, CUDA, broadcast batches).
//
// Why a layer of our own: LibTorch 1.13 computes fp32 `linear`/`matmul` on CPU with the system BLAS
// (OpenBLAS), whose SGEMM on this project's AVX-512 CPU runs at about half the rate of oneDNN's
// (docs/PERFORMANCE.md, "CPU matrix products"). For bf16, LibTorch already calls oneDNN, but under
// autocast it casts the fp32 weight to bf16 as a separate op, computes the weight gradient in bf16 and
// casts it back; the OneDnn path converts inside the product and writes the fp32 weight gradient
// directly (one rounding less, one pass less). The measured choice per dtype is documented in
// docs/PERFORMANCE.md; MatmulBackend::Auto encodes it.
//
// Autocast: both paths honour LibTorch autocast (runtime/precision.h, AutocastGuard). Inside an
// autocast region the product is computed in the autocast dtype (bf16) with inputs cast as autocast
// would cast them, so the OneDnn and Aten paths give the same dtypes; `out_dtype` lets a caller take
// the result in fp32 instead (the attention scores that feed the softmax, the logits that feed the
// loss) — free on oneDNN, one cast on ATen.
//
// Selection: set_matmul_backend() (process-wide), initialised from the environment variable
// EARLYBERT_MATMUL=auto|onednn|aten (for benchmarks); forcing OneDnn where oneDNN is not built in is
// an Error. The backward of the OneDnn functions is not itself differentiable (no double backward).
#pragma once

#include <ATen/core/Tensor.h>

#include <optional>
#include <string>

namespace earlybert {

enum class MatmulBackend {
  Auto,    ///< OneDnn for fp32 and bf16 CPU products where oneDNN is built in and the CPU has AVX-512; else Aten
  OneDnn,  ///< oneDNN for every CPU product in fp32 or bf16 (other dtypes and devices still use ATen)
  Aten,    ///< always plain LibTorch
};

/// "auto", "onednn", "aten".
std::string to_string(MatmulBackend backend);
/// Parses a name of to_string(); anything else is an Error naming `where`.
MatmulBackend parse_matmul_backend(const std::string& name, const std::string& where = "EARLYBERT_MATMUL");

/// The process-wide setting; starts as EARLYBERT_MATMUL (Auto when unset; an invalid value is an Error
/// on first use).
MatmulBackend matmul_backend();
/// Sets it for the whole process. OneDnn without oneDNN built in is an Error.
void set_matmul_backend(MatmulBackend backend);

/// Whether this build has the oneDNN path (libdnnl-dev was found at configure time).
bool onednn_built();

/// The path linear()/matmul() take for CPU products in `dtype` under the current setting: OneDnn or Aten.
MatmulBackend effective_matmul_backend(at::ScalarType dtype);

/// y = x·Wᵀ + b, as at::linear: x [..., in], weight [out, in], bias [out] or undefined → [..., out],
/// differentiable in x, weight and bias. Under autocast computed in the autocast dtype; `out_dtype`
/// converts the result (e.g. fp32 logits under bf16 autocast).
at::Tensor linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias = {},
                  std::optional<at::ScalarType> out_dtype = std::nullopt);

/// alpha·(a·b) + add, batched: a [..., M, K], b [..., K, N] with the same leading dims → [..., M, N];
/// `add` (optional, not differentiated through the product) broadcasts to the result, as baddbmm's
/// input. Differentiable in a and b. Autocast and `out_dtype` as for linear().
at::Tensor matmul(const at::Tensor& a, const at::Tensor& b, double alpha = 1.0, const at::Tensor& add = {},
                  std::optional<at::ScalarType> out_dtype = std::nullopt);

}  // namespace earlybert
