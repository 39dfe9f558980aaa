// Mixed-precision switches — see include/earlybert/runtime/precision.h.
#include "earlybert/runtime/precision.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <dlfcn.h>
#include <torch/version.h>

#include "earlybert/base/error.h"
#include "runtime/cpu_features.h"

// LibTorch 2.4 replaced the per-device autocast functions (is_cpu_enabled, get_autocast_gpu_dtype, ...)
// by ones that take the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define EARLYBERT_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace earlybert {

namespace {

bool autocast_enabled(c10::DeviceType t) {
#ifdef EARLYBERT_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::is_autocast_enabled(t);
#else
  return t == c10::DeviceType::CPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
#endif
}

void set_autocast_enabled(c10::DeviceType t, bool enabled) {
#ifdef EARLYBERT_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_enabled(t, enabled);
#else
  if (t == c10::DeviceType::CPU) {
    at::autocast::set_cpu_enabled(enabled);
  } else {
    at::autocast::set_enabled(enabled);
  }
#endif
}

at::ScalarType autocast_dtype(c10::DeviceType t) {
#ifdef EARLYBERT_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::get_autocast_dtype(t);
#else
  return t == c10::DeviceType::CPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
#endif
}

void set_autocast_dtype(c10::DeviceType t, at::ScalarType dtype) {
#ifdef EARLYBERT_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_dtype(t, dtype);
#else
  if (t == c10::DeviceType::CPU) {
    at::autocast::set_autocast_cpu_dtype(dtype);
  } else {
    at::autocast::set_autocast_gpu_dtype(dtype);
  }
#endif
}

// Compute capability major of CUDA device `ordinal` through the driver API (libcuda, present wherever
// an NVIDIA driver is), so that this file needs no CUDA headers and builds against any LibTorch.
// -1 when there is no driver or no such device.
int cuda_capability_major(int ordinal) {
  void* lib = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  if (lib == nullptr) return -1;
  using InitFn = int (*)(unsigned);
  using DeviceGetFn = int (*)(int*, int);
  using AttributeFn = int (*)(int*, int, int);
  auto init = reinterpret_cast<InitFn>(dlsym(lib, "cuInit"));
  auto device_get = reinterpret_cast<DeviceGetFn>(dlsym(lib, "cuDeviceGet"));
  auto attribute = reinterpret_cast<AttributeFn>(dlsym(lib, "cuDeviceGetAttribute"));
  int major = -1;
  int device = 0;
  constexpr int kComputeCapabilityMajor = 75;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
  if (init != nullptr && device_get != nullptr && attribute != nullptr && init(0) == 0 &&
      device_get(&device, ordinal) == 0) {
    if (attribute(&major, kComputeCapabilityMajor, device) != 0) major = -1;
  }
  // The handle stays open: LibTorch's CUDA runtime uses the same driver library.
  return major;
}

}  // namespace

at::ScalarType compute_dtype(Precision precision) {
  switch (precision) {
    case Precision::Bf16:
      return at::kBFloat16;
    case Precision::Fp16:
      return at::kHalf;
    case Precision::Fp32:
      break;
  }
  return at::kFloat;
}

bool bf16_is_fast(const c10::Device& device) {
  if (device.is_cpu()) {
    const auto& f = detail::cpu_features();
    return f.avx512_bf16 || f.amx_bf16;
  }
  if (device.is_cuda()) return cuda_capability_major(device.has_index() ? device.index() : 0) >= 8;
  return false;
}

bool autocast_supported(Precision precision, c10::DeviceType device_type) {
  if (precision == Precision::Fp32) return true;
  if (device_type == c10::DeviceType::CUDA) return true;
  // LibTorch 1.13's CPU autocast refuses every dtype but bf16 ("AutocastCPU only support Bfloat16").
  return device_type == c10::DeviceType::CPU && precision == Precision::Bf16;
}

Precision resolve_precision(Toggle bf16, bool fp16, const c10::Device& device) {
  if (fp16 && bf16 == Toggle::On) fail("fp16", "bf16 and fp16 cannot both be on");
  if (fp16) {
    if (!autocast_supported(Precision::Fp16, device.type())) {
      fail("fp16", "float16 autocast needs a CUDA device (LibTorch's CPU autocast supports only bf16; use bf16)");
    }
    return Precision::Fp16;
  }
  if (bf16 == Toggle::On) {
    if (!autocast_supported(Precision::Bf16, device.type())) {
      fail("bf16", "no bfloat16 autocast on device " + device.str());
    }
    return Precision::Bf16;
  }
  if (bf16 == Toggle::Auto && autocast_supported(Precision::Bf16, device.type()) && bf16_is_fast(device)) {
    return Precision::Bf16;
  }
  return Precision::Fp32;
}

std::optional<at::ScalarType> active_autocast_dtype(c10::DeviceType device_type) {
  if (device_type != c10::DeviceType::CPU && device_type != c10::DeviceType::CUDA) return std::nullopt;
  if (!autocast_enabled(device_type)) return std::nullopt;
  return autocast_dtype(device_type);
}

AutocastGuard::AutocastGuard(Precision precision, const c10::Device& device) : device_type_(device.type()) {
  if (precision == Precision::Fp32) return;
  if (!autocast_supported(precision, device_type_)) {
    fail("precision", to_string(precision) + " autocast is not supported on " + device.str() +
                          (device.is_cpu() ? " (LibTorch's CPU autocast supports only bf16)" : ""));
  }
  previous_enabled_ = autocast_enabled(device_type_);
  previous_dtype_ = autocast_dtype(device_type_);
  set_autocast_enabled(device_type_, true);
  set_autocast_dtype(device_type_, compute_dtype(precision));
  at::autocast::increment_nesting();
  active_ = true;
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  // As torch.autocast.__exit__: the casted-weight cache lives as long as the outermost region.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast_enabled(device_type_, previous_enabled_);
  set_autocast_dtype(device_type_, previous_dtype_);
}

void set_tf32(bool enabled) {
  at::globalContext().setAllowTF32CuBLAS(enabled);
  at::globalContext().setAllowTF32CuDNN(enabled);
}

bool tf32_enabled() { return at::globalContext().allowTF32CuBLAS(); }

}  // namespace earlybert
