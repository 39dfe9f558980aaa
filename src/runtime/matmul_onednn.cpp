// oneDNN matrix products and their autograd functions — see src/runtime/matmul_onednn.h.
#include "runtime/matmul_onednn.h"

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <c10/util/accumulate.h>
#include <torch/csrc/autograd/custom_function.h>

#if EARLYBERT_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace earlybert::detail {

#if EARLYBERT_HAVE_ONEDNN

namespace {

dnnl::memory::data_type dnnl_type(at::ScalarType t) {
  switch (t) {
    case at::kFloat:
      return dnnl::memory::data_type::f32;
    case at::kBFloat16:
      return dnnl::memory::data_type::bf16;
    default:
      TORCH_CHECK(false, "oneDNN matmul: unsupported dtype ", t);
  }
}

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// Strides as oneDNN wants them: a size-1 dimension's stride is meaningless to LibTorch (often 0 or
// anything after a view) but must not be 0 for oneDNN, so it is replaced by the extent of the
// dimensions inside it.
std::vector<int64_t> dnnl_strides(const at::Tensor& t) {
  std::vector<int64_t> strides(t.strides().begin(), t.strides().end());
  int64_t extent = 1;
  for (int64_t i = t.dim() - 1; i >= 0; --i) {
    if (t.size(i) == 1) strides[i] = extent;
    extent = std::max(extent, strides[i] * t.size(i));
  }
  return strides;
}

dnnl::memory::desc describe(const at::Tensor& t) {
  return dnnl::memory::desc(dnnl::memory::dims(t.sizes().begin(), t.sizes().end()), dnnl_type(t.scalar_type()),
                            dnnl_strides(t));
}

// oneDNN's optimised (brgemm) kernels need each matrix stored row- or column-major — a unit stride in
// one of the last two dimensions — and no broadcast (zero) strides; any other operand is copied first.
at::Tensor plain_operand(const at::Tensor& t) {
  const int64_t n = t.dim();
  for (int64_t i = 0; i < n; ++i) {
    if (t.stride(i) == 0 && t.size(i) > 1) return t.contiguous();
  }
  const bool row_major = t.stride(n - 1) == 1 || t.size(n - 1) == 1;
  const bool col_major = t.stride(n - 2) == 1 || t.size(n - 2) == 1;
  return row_major || col_major ? t : t.contiguous();
}

// Primitive cache: creating a primitive walks oneDNN's implementation list and generates its JIT
// kernels, so each shape is created once and then reused. A run has more shapes than one might think:
// dynamic padding gives every batch length its own M, and a pruned model has its own FFN width per
// layer (global pruning), each with forward and backward products — a BERT-mini EarlyBERT ticket on the
// wordnet task uses about 2,700 (ONEDNN_VERBOSE=2 over 150 updates). Emptied at 1,024 entries, the cache
// made that run re-create 4,106 primitives and train ~20% slower than a random ticket of the same size
// (docs/PERFORMANCE.md). It is therefore large and evicts the least recently used entry, never
// everything at once.
constexpr size_t kPrimitiveCacheCapacity = 8192;

void append(std::string& key, int64_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof(v)); }

void append(std::string& key, const at::Tensor& t) {
  append(key, static_cast<int64_t>(t.scalar_type()));
  append(key, t.dim());
  for (int64_t s : t.sizes()) append(key, s);
  for (int64_t s : dnnl_strides(t)) append(key, s);
}

struct CachedPrimitive {
  dnnl::matmul primitive;
  bool reference = false;  ///< oneDNN chose its slow reference implementation
};

std::shared_ptr<const CachedPrimitive> primitive_for(const at::Tensor& a, const at::Tensor& b, const at::Tensor& bias,
                                                     const at::Tensor& out, float alpha) {
  std::string key;
  append(key, a);
  append(key, b);
  append(key, out);
  if (bias.defined()) append(key, bias);
  int32_t alpha_bits = 0;
  std::memcpy(&alpha_bits, &alpha, sizeof(alpha));
  append(key, alpha_bits);

  // Least recently used first in `order`; `cache` points into it.
  using Order = std::list<std::string>;
  struct Slot {
    std::shared_ptr<const CachedPrimitive> primitive;
    Order::iterator position;
  };
  static std::mutex mutex;
  static Order order;
  static std::unordered_map<std::string, Slot> cache;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) {
      order.splice(order.end(), order, it->second.position);
      return it->second.primitive;
    }
  }
  dnnl::primitive_attr attr;
  if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
  const auto desc = bias.defined() ? dnnl::matmul::desc(describe(a), describe(b), describe(bias), describe(out))
                                   : dnnl::matmul::desc(describe(a), describe(b), describe(out));
  const dnnl::matmul::primitive_desc pd(desc, attr, cpu_engine());
  auto entry = std::make_shared<CachedPrimitive>();
  entry->primitive = dnnl::matmul(pd);
  entry->reference = std::string(pd.impl_info_str()).rfind("ref", 0) == 0;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = cache.find(key); it != cache.end()) return it->second.primitive;  // another thread made it
  if (cache.size() >= kPrimitiveCacheCapacity) {
    cache.erase(order.front());
    order.pop_front();
  }
  const auto position = order.insert(order.end(), key);
  return cache.emplace(key, Slot{std::move(entry), position}).first->second.primitive;
}

}  // namespace

bool onednn_built() { return true; }

void onednn_gemm(const at::Tensor& a_in, const at::Tensor& b_in, const at::Tensor& bias_in, const at::Tensor& out,
                 double alpha) {
  TORCH_CHECK(a_in.dim() >= 2 && b_in.dim() == a_in.dim() && out.dim() == a_in.dim(),
              "oneDNN matmul: operands of rank ", a_in.dim(), ", ", b_in.dim(), " -> ", out.dim());
  TORCH_CHECK(a_in.is_cpu() && b_in.is_cpu() && out.is_cpu(), "oneDNN matmul: CPU tensors only");
  TORCH_CHECK(a_in.scalar_type() == b_in.scalar_type(), "oneDNN matmul: operand dtypes differ");
  TORCH_CHECK(out.is_contiguous(), "oneDNN matmul: the output must be contiguous");
  const int64_t n = a_in.dim();
  TORCH_CHECK(a_in.size(n - 1) == b_in.size(n - 2) && out.size(n - 2) == a_in.size(n - 2) &&
                  out.size(n - 1) == b_in.size(n - 1),
              "oneDNN matmul: shapes ", a_in.sizes(), " x ", b_in.sizes(), " -> ", out.sizes());
  for (int64_t i = 0; i < n - 2; ++i) {
    TORCH_CHECK(a_in.size(i) == b_in.size(i) && a_in.size(i) == out.size(i),
                "oneDNN matmul: batch dimensions differ: ", a_in.sizes(), " x ", b_in.sizes());
  }
  TORCH_CHECK(!bias_in.defined() || alpha == 1.0, "oneDNN matmul: alpha and bias are not combined");
  if (out.numel() == 0) return;
  if (a_in.scalar_type() == at::kFloat && out.scalar_type() != at::kFloat) {
    // oneDNN has no fp32 x fp32 -> bf16 kernel: compute in fp32, then round.
    const auto fp32 = at::empty(out.sizes(), out.options().dtype(at::kFloat));
    onednn_gemm(a_in, b_in, bias_in, fp32, alpha);
    out.copy_(fp32);
    return;
  }
  at::Tensor bias;
  if (bias_in.defined()) {
    TORCH_CHECK(bias_in.dim() == 1 && bias_in.size(0) == out.size(n - 1), "oneDNN matmul: bias of shape ",
                bias_in.sizes(), " for ", out.sizes());
    // A bias in the layout oneDNN expects: [1, ..., 1, N], in fp32 (exact for bf16 and fp32 products).
    std::vector<int64_t> shape(n, 1);
    shape.back() = out.size(n - 1);
    bias = bias_in.to(at::kFloat).contiguous().view(shape);
  }
  if (a_in.size(n - 1) == 0) {  // an empty sum: the product is zero
    if (bias.defined()) {
      out.copy_(bias.expand_as(out));
    } else {
      out.zero_();
    }
    return;
  }
  at::Tensor a = plain_operand(a_in), b = plain_operand(b_in);
  auto entry = primitive_for(a, b, bias, out, static_cast<float>(alpha));
  if (entry->reference && !(a.is_contiguous() && b.is_contiguous())) {
    // The strides ruled out the fast kernels; contiguous copies cost less than the reference kernel.
    a = a.contiguous();
    b = b.contiguous();
    entry = primitive_for(a, b, bias, out, static_cast<float>(alpha));
  }
  const auto& engine = cpu_engine();
  thread_local dnnl::stream stream(cpu_engine());
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, dnnl::memory(describe(a), engine, a.data_ptr())},
                                             {DNNL_ARG_WEIGHTS, dnnl::memory(describe(b), engine, b.data_ptr())},
                                             {DNNL_ARG_DST, dnnl::memory(describe(out), engine, out.data_ptr())}};
  if (bias.defined()) args.emplace(DNNL_ARG_BIAS, dnnl::memory(describe(bias), engine, bias.data_ptr()));
  entry->primitive.execute(stream, args);
  stream.wait();
}

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

int64_t code(at::ScalarType t) { return static_cast<int64_t>(t); }
at::ScalarType dtype(const c10::IValue& v) { return static_cast<at::ScalarType>(v.toInt()); }

// y = x·Wᵀ + b. Saved for backward: x and W in the compute dtype (bf16 copies under bf16 autocast,
// the inputs themselves in fp32).
class LinearFunction : public torch::autograd::Function<LinearFunction> {
 public:
  // The bias travels as an optional: LibTorch's custom functions take an empty optional for "no bias",
  // not an undefined tensor.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            const c10::optional<at::Tensor>& optional_bias, at::ScalarType compute,
                            at::ScalarType out_dtype) {
    TORCH_CHECK(weight.dim() == 2 && x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: input ", x.sizes(),
                " and weight ", weight.sizes(), " do not fit");
    const at::Tensor bias = optional_bias.value_or(at::Tensor());
    const int64_t in = weight.size(1), out = weight.size(0);
    const int64_t rows = c10::multiply_integers(x.sizes().slice(0, x.dim() - 1));
    const at::Tensor x2 = x.reshape({rows, in}).to(compute);
    const at::Tensor w = weight.to(compute);
    std::vector<int64_t> sizes = x.sizes().vec();
    sizes.back() = out;
    at::Tensor y = at::empty(sizes, x.options().dtype(out_dtype));
    onednn_gemm(x2, w.t(), bias, y.view({rows, out}));
    ctx->save_for_backward({x2, w});
    ctx->saved_data["x_sizes"] = x.sizes().vec();
    ctx->saved_data["x_dtype"] = code(x.scalar_type());
    ctx->saved_data["w_dtype"] = code(weight.scalar_type());
    ctx->saved_data["b_dtype"] = code(bias.defined() ? bias.scalar_type() : at::kFloat);
    ctx->saved_data["needs_x"] = x.requires_grad();
    ctx->saved_data["needs_w"] = weight.requires_grad();
    ctx->saved_data["needs_b"] = bias.defined() && bias.requires_grad();
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x2 = saved[0];
    const at::Tensor& w = saved[1];
    const int64_t rows = x2.size(0), out = w.size(0);
    const at::Tensor dy_out = grads[0].reshape({rows, out});
    const at::Tensor dy = dy_out.to(w.scalar_type());
    at::Tensor dx, dw, db;
    if (ctx->saved_data["needs_x"].toBool()) {
      dx = at::empty(ctx->saved_data["x_sizes"].toIntVector(), dy.options().dtype(dtype(ctx->saved_data["x_dtype"])));
      onednn_gemm(dy, w, {}, dx.view({rows, w.size(1)}));
    }
    if (ctx->saved_data["needs_w"].toBool()) {
      dw = at::empty(w.sizes(), dy.options().dtype(dtype(ctx->saved_data["w_dtype"])));
      onednn_gemm(dy.t(), x2, {}, dw);
    }
    if (ctx->saved_data["needs_b"].toBool()) db = dy_out.sum({0}, false, dtype(ctx->saved_data["b_dtype"]));
    return {dx, dw, db, at::Tensor(), at::Tensor()};
  }
};

// y = alpha·(a·b), batched.
class MatmulFunction : public torch::autograd::Function<MatmulFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& a_in, const at::Tensor& b_in, double alpha,
                            at::ScalarType compute, at::ScalarType out_dtype) {
    const at::Tensor a = a_in.to(compute), b = b_in.to(compute);
    std::vector<int64_t> sizes = a.sizes().vec();
    sizes.back() = b.size(-1);
    at::Tensor y = at::empty(sizes, a.options().dtype(out_dtype));
    onednn_gemm(a, b, {}, y, alpha);
    ctx->save_for_backward({a, b});
    ctx->saved_data["alpha"] = alpha;
    ctx->saved_data["a_dtype"] = code(a_in.scalar_type());
    ctx->saved_data["b_dtype"] = code(b_in.scalar_type());
    ctx->saved_data["needs_a"] = a_in.requires_grad();
    ctx->saved_data["needs_b"] = b_in.requires_grad();
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& a = saved[0];
    const at::Tensor& b = saved[1];
    const double alpha = ctx->saved_data["alpha"].toDouble();
    const at::Tensor dy = grads[0].to(a.scalar_type());
    at::Tensor da, db;
    if (ctx->saved_data["needs_a"].toBool()) {
      da = at::empty(a.sizes(), dy.options().dtype(dtype(ctx->saved_data["a_dtype"])));
      onednn_gemm(dy, b.transpose(-1, -2), {}, da, alpha);
    }
    if (ctx->saved_data["needs_b"].toBool()) {
      db = at::empty(b.sizes(), dy.options().dtype(dtype(ctx->saved_data["b_dtype"])));
      onednn_gemm(a.transpose(-1, -2), dy, {}, db, alpha);
    }
    return {da, db, at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor onednn_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, at::ScalarType compute,
                         at::ScalarType out_dtype) {
  const c10::optional<at::Tensor> optional_bias = bias.defined() ? c10::optional<at::Tensor>(bias) : c10::nullopt;
  return LinearFunction::apply(x, weight, optional_bias, compute, out_dtype);
}

at::Tensor onednn_matmul(const at::Tensor& a, const at::Tensor& b, double alpha, at::ScalarType compute,
                         at::ScalarType out_dtype) {
  return MatmulFunction::apply(a, b, alpha, compute, out_dtype);
}

#else  // built without oneDNN: runtime/matmul.cpp never takes this path (onednn_built() is false)

bool onednn_built() { return false; }

void onednn_gemm(const at::Tensor&, const at::Tensor&, const at::Tensor&, const at::Tensor&, double) {
  TORCH_CHECK(false, "earlybert was built without oneDNN");
}

at::Tensor onednn_linear(const at::Tensor&, const at::Tensor&, const at::Tensor&, at::ScalarType, at::ScalarType) {
  TORCH_CHECK(false, "earlybert was built without oneDNN");
}

at::Tensor onednn_matmul(const at::Tensor&, const at::Tensor&, double, at::ScalarType, at::ScalarType) {
  TORCH_CHECK(false, "earlybert was built without oneDNN");
}

#endif

}  // namespace earlybert::detail
