// Dynamic loss scaling for fp16 training, as torch.cuda.amp.GradScaler does it.
//
// fp16 has 5 exponent bits: small gradients of an fp16 forward underflow to zero. The loss is therefore
// multiplied by a large scale S before backward (the fp32 gradients of the fp32 parameters come out S
// times too large), divided back before gradient clipping and the optimizer step, and S adapts:
//   - a step whose unscaled gradients contain inf or NaN is skipped (the parameters and the optimizer
//     state stay as they were) and S is multiplied by backoff_factor (0.5);
//   - after growth_interval (2000) consecutive finite steps S is multiplied by growth_factor (2);
//   - S starts at init_scale (2^16).
// One training step, with gradient accumulation over micro-batches:
//
//   for each micro-batch: scaler.scale(loss / accumulation).backward();
//   scaler.unscale(optimizer);            // before clipping, which must see the true gradients
//   clip_grad_norm(...);
//   scaler.step(optimizer);               // skipped when a gradient was inf/NaN
//   scaler.update();
//
// A disabled scaler (bf16 and fp32 runs: bf16 has fp32's exponent range) passes everything through:
// scale(loss) is the loss, step() always steps. Parameters and optimizer state stay fp32 throughout
// (runtime/precision.h), so unscaling acts on fp32 gradients. The state (scale, growth tracker and the
// options) goes into checkpoints as JSON with PyTorch's state_dict keys.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <string>
#include <vector>

namespace earlybert {

struct GradScalerOptions {
  double init_scale = 65536.0;  ///< 2^16
  double growth_factor = 2.0;
  double backoff_factor = 0.5;
  int64_t growth_interval = 2000;
  bool enabled = true;
};

class GradScaler {
 public:
  /// Error (naming the option) unless init_scale > 0, growth_factor > 1, 0 < backoff_factor < 1 and
  /// growth_interval >= 1.
  explicit GradScaler(GradScalerOptions options = {});

  bool enabled() const { return options_.enabled; }
  /// The current scale S (1 when disabled).
  double get_scale() const { return options_.enabled ? scale_ : 1.0; }
  /// Consecutive finite steps since the scale last changed.
  int64_t growth_tracker() const { return growth_tracker_; }
  const GradScalerOptions& options() const { return options_; }

  /// loss · S (the loss itself when disabled).
  at::Tensor scale(const at::Tensor& loss) const;

  /// Divides the gradients of `optimizer`'s parameters by S in place and records whether any of them is
  /// inf or NaN. At most once per step (a second call before update() is an Error: it would divide
  /// twice); step() calls it when it has not been called.
  void unscale(torch::optim::Optimizer& optimizer);
  /// The same for an explicit list of parameters (undefined gradients are skipped).
  void unscale(const std::vector<at::Tensor>& params);

  /// Whether the gradients unscaled this step contained inf or NaN.
  bool found_inf() const { return found_inf_; }

  /// optimizer.step() unless the unscaled gradients contained inf/NaN; returns whether it stepped.
  bool step(torch::optim::Optimizer& optimizer);

  /// Ends the step: backoff after inf/NaN, growth after growth_interval finite steps.
  void update();

  /// {"scale": …, "growth_factor": …, "backoff_factor": …, "growth_interval": …, "_growth_tracker": …}
  std::string to_json() const;
  /// Restores what to_json() wrote; `source` names the file in errors.
  void load_json(const std::string& text, const std::string& source);

 private:
  GradScalerOptions options_;
  double scale_;
  int64_t growth_tracker_ = 0;
  bool unscaled_ = false;
  bool found_inf_ = false;
};

}  // namespace earlybert
