// Numeric precision of a run's matrix products: fp32, or bf16 / fp16 mixed precision via LibTorch's
// autocast. Parameters, optimizer state, slimming coefficients, LayerNorm and the losses stay fp32;
// autocast runs the matrix products in the lower precision.
//
// AutocastGuard is the one switch: the trainer wraps every forward pass (training and evaluation) in
// one; for fp32 it does nothing.
#pragma once

#include <c10/core/Device.h>

#include <array>
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
inline std::string to_string(Precision p) { return enum_to_string(p); }

/// Enables autocast for `device`'s type in `precision` for its scope and restores the previous state.
class AutocastGuard {
 public:
  AutocastGuard(Precision precision, c10::Device device);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool active_ = false;
  bool cuda_ = false;
  bool previous_enabled_ = false;
  int previous_dtype_ = 0;
};

}  // namespace earlybert
