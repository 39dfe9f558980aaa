// The precision side of a training run — see include/earlybert/train/mixed_precision.h.
#include "earlybert/train/mixed_precision.h"

#include <nlohmann/json.hpp>

#include "base/json_fields.h"
#include "earlybert/base/error.h"
#include "earlybert/base/files.h"
#include "earlybert/base/log.h"
#include "earlybert/train/run_files.h"

namespace earlybert {

namespace {

GradScalerOptions scaler_for(Precision precision, GradScalerOptions options) {
  options.enabled = precision == Precision::Fp16;
  return options;
}

}  // namespace

MixedPrecision::MixedPrecision(const MixedPrecisionOptions& options, const c10::Device& device)
    : precision_(resolve_precision(options.bf16, options.fp16, device)),
      tf32_(options.tf32),
      cuda_(device.is_cuda()),
      scaler_(scaler_for(precision_, options.scaler)) {
  // TF32 is a process-wide cuBLAS/cuDNN switch; on CPU it changes nothing and is left alone.
  if (cuda_) set_tf32(tf32_);
}

MixedPrecision::MixedPrecision(Precision precision, GradScalerOptions scaler)
    : precision_(precision), scaler_(scaler_for(precision, scaler)) {}

std::string MixedPrecision::describe() const {
  std::string text;
  switch (precision_) {
    case Precision::Fp32:
      text = "fp32";
      break;
    case Precision::Bf16:
      text = "bf16 autocast (parameters, optimizer state, LayerNorm, softmax, slimming coefficients and loss in fp32)";
      break;
    case Precision::Fp16:
      text = logging::format("fp16 autocast with dynamic loss scaling (scale {}, growth every {} finite updates)",
                             scaler_.get_scale(), scaler_.options().growth_interval);
      break;
  }
  if (cuda_) text += tf32_ ? ", TF32 matmuls on" : ", TF32 matmuls off";
  return text;
}

at::Tensor MixedPrecision::scale(const at::Tensor& objective) const { return scaler_.scale(objective); }

bool MixedPrecision::unscale_gradients(const std::vector<at::Tensor>& params) {
  if (!scaler_.enabled()) return true;
  scaler_.unscale(params);
  return !scaler_.found_inf();
}

void MixedPrecision::after_update(bool applied) {
  if (!scaler_.enabled()) return;
  // A skipped update is counted whatever refused it (inf/NaN gradients, or an overflowing norm of
  // finite ones); the scale backs off when the gradients themselves were not finite.
  if (!applied) ++skipped_;
  scaler_.update();
}

void MixedPrecision::save(const std::string& dir) const {
  if (!scaler_.enabled()) return;
  nlohmann::ordered_json j;
  j["scaler"] = nlohmann::ordered_json::parse(scaler_.to_json());
  j["skipped_updates"] = skipped_;
  write_file_atomic(join_path(dir, run_files::kScaler), j.dump(2) + "\n");
}

void MixedPrecision::load(const std::string& dir) {
  if (!scaler_.enabled()) return;
  const std::string path = join_path(dir, run_files::kScaler);
  if (!path_exists(path)) fail(path, "missing: the checkpoint of an fp16 run keeps its loss scale here");
  const auto doc = json_fields::parse(read_file(path), path);
  const json_fields::JsonReader r(doc, path);
  if (!doc.contains("scaler") || !doc["scaler"].is_object()) fail(r.where("scaler"), "missing required object");
  scaler_.load_json(doc["scaler"].dump(), path + ": key 'scaler'");
  const auto skipped = r.require<int64_t>("skipped_updates");
  if (skipped < 0) fail(r.where("skipped_updates"), "must be >= 0, got " + std::to_string(skipped));
  skipped_ = skipped;
}

}  // namespace earlybert
