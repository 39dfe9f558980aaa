// Mixed precision: which dtype the matrix products of a training step run in, and the switches around it.
//
//   Precision::Fp32   everything fp32 (on CUDA the fp32 products may use TF32, see set_tf32)
//   Precision::Bf16   LibTorch autocast to bfloat16 (CPU and CUDA)
//   Precision::Fp16   LibTorch autocast to float16 (CUDA only) + dynamic loss scaling (optim/grad_scaler.h)
//
// AutocastGuard is the one switch: the trainer wraps every forward pass of training in one, and the
// evaluation loop (tasks/eval_loop.h) wraps its forward passes in one with EvalContext::precision;
// for Fp32 it does nothing.
//
// What stays fp32 under autocast. The parameters and the optimizer state stay fp32: autocast casts per
// operation (a bf16 copy of a weight for each product), so no master copy of the weights is needed and
// the optimizer updates the fp32 parameters directly. The model keeps these in fp32 explicitly, because
// LibTorch 1.13's CPU autocast would otherwise run them in bf16 (it lists only the matrix products and a
// few losses; layer_norm and softmax follow their input's dtype): every LayerNorm (its input is cast to
// the LayerNorm's fp32 weight), the attention softmax (the scores are produced in fp32), the slimming
// coefficients (fp32 parameters folded into the fp32 weights before the cast), the logits of every head
// and therefore the loss, and the L1 term (computed on the fp32 coefficients). The residual stream is
// fp32 too: a bf16 product added to the fp32 residual promotes to fp32. Tests assert these dtypes.
//
// LibTorch 1.13's CPU autocast accepts only bf16, so Fp16 on CPU is an Error; on CUDA bf16 needs
// compute capability 8.0 (Ampere) to be fast.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <array>
#include <optional>
#include <string>

#include "earlybert/base/enum_names.h"

namespace earlybert {

enum class Precision { Fp32, Bf16, Fp16 };
template <>
struct EnumNames<Precision> {
  static constexpr const char* what = "precision";
  static constexpr std::array<EnumName<Precision>, 3> values{
      {{Precision::Fp32, "fp32"}, {Precision::Bf16, "bf16"}, {Precision::Fp16, "fp16"}}};
};
/// "fp32", "bf16", "fp16".
inline std::string to_string(Precision p) { return enum_to_string(p); }

/// The dtype autocast computes the products in: Float, BFloat16, Half.
at::ScalarType compute_dtype(Precision precision);

/// Whether bf16 matrix products are natively fast on `device`: a CPU with AVX512_BF16 or AMX-BF16, a
/// CUDA device of compute capability >= 8.0. (Elsewhere bf16 runs, emulated, and slower than fp32.)
bool bf16_is_fast(const c10::Device& device);

/// Whether LibTorch's autocast supports `precision` on `device_type` (Fp32 everywhere; Bf16 on CPU
/// and CUDA; Fp16 on CUDA only).
bool autocast_supported(Precision precision, c10::DeviceType device_type);

/// A Hugging Face-style boolean key that may also be "auto" (the `bf16` key).
enum class Toggle { Off, On, Auto };
template <>
struct EnumNames<Toggle> {
  static constexpr const char* what = "setting";
  static constexpr std::array<EnumName<Toggle>, 3> values{
      {{Toggle::Off, "false"}, {Toggle::On, "true"}, {Toggle::Auto, "auto"}}};
};
inline std::string to_string(Toggle t) { return enum_to_string(t); }

/// The precision of a run from the keys bf16 (true/false/auto) and fp16 on `device`: bf16 and fp16
/// together, or fp16 where autocast lacks it (CPU), are Errors naming the key; bf16 = auto means bf16
/// where bf16_is_fast(device), fp32 elsewhere (an explicit bf16 = true is honoured anywhere).
Precision resolve_precision(Toggle bf16, bool fp16, const c10::Device& device);

/// The dtype autocast is casting the products of `device_type` to, or nullopt when autocast is off there.
std::optional<at::ScalarType> active_autocast_dtype(c10::DeviceType device_type);

/// Enables LibTorch autocast for `precision` on `device`'s type for its scope (as `torch.autocast`):
/// nothing for Fp32; Error where autocast_supported() is false. The destructor restores the previous
/// state and, leaving the outermost autocast scope, clears autocast's cache of casted weights (so a
/// guard per forward pass never reuses a bf16 copy of weights the optimizer has since updated). Wrap
/// forward and loss; backward runs in the dtypes the forward recorded and needs no guard.
class AutocastGuard {
 public:
  AutocastGuard(Precision precision, const c10::Device& device);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  c10::DeviceType device_type_ = c10::DeviceType::CPU;
  bool previous_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kBFloat16;
};

/// TF32 for fp32 matrix products and convolutions on CUDA (cuBLAS and cuDNN; Ampere and later): about
/// 10 mantissa bits instead of 23 in the products' inputs, accumulation in fp32, several times the
/// fp32 rate. The trainer calls this once with its `tf32` setting (default true); LibTorch's own
/// default is off for cuBLAS. No effect on CPU.
void set_tf32(bool enabled);
/// Whether set_tf32(true) is in effect for cuBLAS.
bool tf32_enabled();

}  // namespace earlybert
