// The kernel layer of the model's matrix products — see include/earlybert/runtime/matmul.h.
#include "earlybert/runtime/matmul.h"

#include <ATen/ATen.h>

#include <atomic>
#include <cstdlib>

#include "earlybert/base/error.h"
#include "earlybert/runtime/precision.h"
#include "runtime/cpu_features.h"
#include "runtime/matmul_onednn.h"

namespace earlybert {

namespace {

constexpr int kUnset = -1;
std::atomic<int> g_backend{kUnset};

MatmulBackend checked(MatmulBackend backend, const std::string& where) {
  if (backend == MatmulBackend::OneDnn && !detail::onednn_built()) {
    fail(where, "onednn requested, but earlybert was built without oneDNN (install libdnnl-dev and reconfigure)");
  }
  return backend;
}

// The dtype a product of x and w is computed in: the autocast dtype inside an autocast region (for
// floating-point operands that are not double, as autocast decides), else their promoted dtype.
at::ScalarType compute_type(const at::Tensor& x, const at::Tensor& w) {
  const at::ScalarType promoted = at::promote_types(x.scalar_type(), w.scalar_type());
  if (!x.is_floating_point() || !w.is_floating_point() || promoted == at::kDouble) return promoted;
  return active_autocast_dtype(x.device().type()).value_or(promoted);
}

bool onednn_operand(const at::Tensor& t) {
  return t.is_cpu() && t.layout() == at::kStrided &&
         (t.scalar_type() == at::kFloat || t.scalar_type() == at::kBFloat16);
}

at::Tensor converted(const at::Tensor& y, std::optional<at::ScalarType> out_dtype) {
  return out_dtype && y.scalar_type() != *out_dtype ? y.to(*out_dtype) : y;
}

}  // namespace

std::string to_string(MatmulBackend backend) {
  switch (backend) {
    case MatmulBackend::Auto:
      return "auto";
    case MatmulBackend::OneDnn:
      return "onednn";
    case MatmulBackend::Aten:
      return "aten";
  }
  return "?";
}

MatmulBackend parse_matmul_backend(const std::string& name, const std::string& where) {
  if (name == "auto") return MatmulBackend::Auto;
  if (name == "onednn") return MatmulBackend::OneDnn;
  if (name == "aten") return MatmulBackend::Aten;
  fail(where, "unknown matrix-product backend '" + name + "' (auto, onednn, aten)");
}

MatmulBackend matmul_backend() {
  const int current = g_backend.load(std::memory_order_relaxed);
  if (current != kUnset) return static_cast<MatmulBackend>(current);
  const char* env = std::getenv("EARLYBERT_MATMUL");
  const MatmulBackend backend = (env == nullptr || *env == '\0')
                                    ? MatmulBackend::Auto
                                    : checked(parse_matmul_backend(env, "EARLYBERT_MATMUL"), "EARLYBERT_MATMUL");
  g_backend.store(static_cast<int>(backend), std::memory_order_relaxed);
  return backend;
}

void set_matmul_backend(MatmulBackend backend) {
  g_backend.store(static_cast<int>(checked(backend, "matmul backend")), std::memory_order_relaxed);
}

bool onednn_built() { return detail::onednn_built(); }

MatmulBackend effective_matmul_backend(at::ScalarType dtype) {
  const MatmulBackend setting = matmul_backend();
  if (setting == MatmulBackend::Aten || !detail::onednn_built()) return MatmulBackend::Aten;
  if (dtype != at::kFloat && dtype != at::kBFloat16) return MatmulBackend::Aten;
  if (setting == MatmulBackend::OneDnn) return MatmulBackend::OneDnn;
  // Auto: oneDNN where its JIT kernels were measured faster than the alternative (docs/PERFORMANCE.md):
  // fp32 on AVX-512 CPUs (vs OpenBLAS), bf16 where the CPU has native bf16 dot products.
  const auto& cpu = detail::cpu_features();
  if (dtype == at::kFloat) return cpu.avx512_core ? MatmulBackend::OneDnn : MatmulBackend::Aten;
  return cpu.avx512_bf16 || cpu.amx_bf16 ? MatmulBackend::OneDnn : MatmulBackend::Aten;
}

at::Tensor linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                  std::optional<at::ScalarType> out_dtype) {
  const at::ScalarType compute = compute_type(x, weight);
  if (onednn_operand(x) && onednn_operand(weight) && (!bias.defined() || onednn_operand(bias)) && x.dim() >= 1 &&
      weight.dim() == 2 && effective_matmul_backend(compute) == MatmulBackend::OneDnn) {
    return detail::onednn_linear(x, weight, bias, compute, out_dtype.value_or(compute));
  }
  return converted(at::linear(x, weight, bias.defined() ? c10::optional<at::Tensor>(bias) : c10::nullopt), out_dtype);
}

at::Tensor matmul(const at::Tensor& a, const at::Tensor& b, double alpha, const at::Tensor& add,
                  std::optional<at::ScalarType> out_dtype) {
  const int64_t n = a.dim();
  const bool same_batch = n >= 2 && b.dim() == n && a.sizes().slice(0, n - 2) == b.sizes().slice(0, n - 2) &&
                          a.size(n - 1) == b.size(n - 2);
  const at::ScalarType compute = compute_type(a, b);
  if (same_batch && onednn_operand(a) && onednn_operand(b) &&
      effective_matmul_backend(compute) == MatmulBackend::OneDnn) {
    at::Tensor y = detail::onednn_matmul(a, b, alpha, compute, out_dtype.value_or(compute));
    // In place: the product's backward does not need its output, and add's gradient is the output's.
    if (add.defined()) y.add_(add);
    return y;
  }
  at::Tensor y;
  if (add.defined() && same_batch && n >= 3) {
    // One pass, as baddbmm: alpha·(a·b) + add on [batch, M, N], `add` broadcast over the batch and
    // (when its row dimension is 1) over the rows, without materialising it at the full size.
    const int64_t m = a.size(n - 2), k = a.size(n - 1), cols = b.size(n - 1);
    std::vector<int64_t> add_shape = a.sizes().slice(0, n - 2).vec();
    const int64_t add_rows = add.dim() >= 2 && add.size(-2) == 1 ? 1 : m;
    add_shape.push_back(add_rows);
    add_shape.push_back(cols);
    const at::Tensor add3 = add.expand(add_shape).reshape({-1, add_rows, cols});
    std::vector<int64_t> out_shape = a.sizes().vec();
    out_shape.back() = cols;
    y = at::baddbmm(add3, a.reshape({-1, m, k}), b.reshape({-1, k, cols}), 1.0, alpha).view(out_shape);
  } else if (add.defined() && n == 2 && b.dim() == 2) {
    y = at::addmm(add, a, b, 1.0, alpha);
  } else {
    y = at::matmul(a, b);
    if (alpha != 1.0) y = y * alpha;
    if (add.defined()) y = y + add;
  }
  return converted(y, out_dtype);
}

}  // namespace earlybert
