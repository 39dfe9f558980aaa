// The precision side of a training run: the keys bf16 / fp16 / tf32 resolved on the run's device, the
// fp16 loss scaler, and what a checkpoint keeps of them.
//
//   bf16: true | false | auto   autocast to bfloat16 (auto: where bf16_is_fast(device), runtime/precision.h)
//   fp16: true | false          autocast to float16 + dynamic loss scaling (CUDA only; not with bf16)
//   tf32: true | false          TF32 for the fp32 matrix products on CUDA (default true; no effect on CPU)
//
// The trainer asks this object four things per update (the names follow torch.cuda.amp):
//
//   scale(objective).backward()               each micro-batch (the objective itself unless fp16)
//   finite = unscale_gradients(params)        once the gradients are ready, before clipping
//   ... clip, optimizer step only if finite ...
//   after_update(applied)                     lowers the scale after a skipped fp16 update, grows it
//                                             after growth_interval finite ones
//
// A skipped fp16 update does not advance the learning-rate schedule: the schedule is evaluated at
// schedule_step(step) = step − (fp16 updates skipped so far), as Hugging Face's Trainer skips its
// scheduler step when the scaler skipped the optimizer step. (fp32 and bf16 runs count nothing: a
// non-finite gradient there is an anomaly, logged and skipped by the trainer as before.)
//
// Checkpoints: an fp16 run writes scaler.json (run_files::kScaler: the scaler's state with PyTorch's
// state_dict keys, and the skipped count); restoring it makes a resumed run continue with the same
// scale and schedule, bit-exactly. bf16 and fp32 runs have no scaler state and write no file.
#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <string>
#include <vector>

#include "earlybert/optim/grad_scaler.h"
#include "earlybert/runtime/precision.h"

namespace earlybert {

/// The keys of a run's precision (TrainingArguments: bf16, fp16, tf32).
struct MixedPrecisionOptions {
  Toggle bf16 = Toggle::Off;
  bool fp16 = false;
  bool tf32 = true;
  GradScalerOptions scaler;  ///< fp16 only; `enabled` is set from the precision
};

class MixedPrecision {
 public:
  /// Resolves the keys on `device` (resolve_precision: Errors naming the key for bf16 + fp16 or fp16 on
  /// CPU) and sets TF32 on CUDA devices.
  MixedPrecision(const MixedPrecisionOptions& options, const c10::Device& device);
  /// An explicit precision (a user's own loop, tests): no key resolution; TF32 left as it is.
  explicit MixedPrecision(Precision precision, GradScalerOptions scaler = {});

  Precision precision() const { return precision_; }
  /// One line for the log: "bf16 autocast (...)", "fp16 autocast, loss scale 65536", "fp32, TF32 on".
  std::string describe() const;

  /// The objective to call backward() on: objective · S for fp16, the objective itself otherwise.
  at::Tensor scale(const at::Tensor& objective) const;
  /// Divides the gradients of `params` by S (fp16) and returns whether they are all finite. Always
  /// true without loss scaling (the trainer checks the gradient norm itself).
  bool unscale_gradients(const std::vector<at::Tensor>& params);
  /// Ends an update: `applied` = whether the optimizer stepped. fp16: backoff / growth of S, and a
  /// skipped update is counted.
  void after_update(bool applied);

  /// The current loss scale (1 without fp16).
  double loss_scale() const { return scaler_.get_scale(); }
  /// fp16 updates skipped so far (over resumes).
  int64_t skipped_updates() const { return skipped_; }
  /// The step the learning-rate schedule is evaluated at for the update after `step` updates.
  int64_t schedule_step(int64_t step) const { return step - skipped_; }

  /// Writes scaler.json into checkpoint directory `dir` (fp16 only).
  void save(const std::string& dir) const;
  /// Reads scaler.json from checkpoint `dir` (fp16 only; Error naming the file when it is missing or
  /// malformed).
  void load(const std::string& dir);

 private:
  Precision precision_ = Precision::Fp32;
  bool tf32_ = false;
  bool cuda_ = false;
  GradScaler scaler_;
  int64_t skipped_ = 0;
};

}  // namespace earlybert
