// Mixed precision — see include/earlybert/runtime/precision.h.
#include "earlybert/runtime/precision.h"

#include <ATen/autocast_mode.h>

#include "earlybert/base/error.h"

namespace earlybert {

AutocastGuard::AutocastGuard(Precision precision, c10::Device device) {
  if (precision == Precision::Fp32) return;
  const at::ScalarType dtype = precision == Precision::Bf16 ? at::kBFloat16 : at::kHalf;
  cuda_ = device.is_cuda();
  if (!cuda_ && precision == Precision::Fp16) fail("fp16", "fp16 mixed precision needs a CUDA device; use bf16 on CPU");
  if (cuda_) {
    previous_enabled_ = at::autocast::is_enabled();
    previous_dtype_ = static_cast<int>(at::autocast::get_autocast_gpu_dtype());
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(true);
  } else {
    previous_enabled_ = at::autocast::is_cpu_enabled();
    previous_dtype_ = static_cast<int>(at::autocast::get_autocast_cpu_dtype());
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(true);
  }
  at::autocast::increment_nesting();
  active_ = true;
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  // Leaving the outermost autocast region frees the casts cached for it (as torch.autocast does).
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  if (cuda_) {
    at::autocast::set_enabled(previous_enabled_);
    at::autocast::set_autocast_gpu_dtype(static_cast<at::ScalarType>(previous_dtype_));
  } else {
    at::autocast::set_cpu_enabled(previous_enabled_);
    at::autocast::set_autocast_cpu_dtype(static_cast<at::ScalarType>(previous_dtype_));
  }
}

}  // namespace earlybert
