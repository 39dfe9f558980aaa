// Dynamic loss scaling — see include/earlybert/optim/grad_scaler.h.
#include "earlybert/optim/grad_scaler.h"

#include <ATen/ATen.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "base/json_fields.h"
#include "earlybert/base/error.h"

namespace earlybert {

namespace {

void validate(const GradScalerOptions& o, const std::string& where) {
  auto key = [&](const char* name) { return where.empty() ? std::string(name) : where + ": key '" + name + "'"; };
  if (!(o.init_scale > 0.0) || !std::isfinite(o.init_scale)) {
    fail(key("init_scale"), "must be a positive finite number, got " + std::to_string(o.init_scale));
  }
  if (!(o.growth_factor > 1.0)) fail(key("growth_factor"), "must be > 1, got " + std::to_string(o.growth_factor));
  if (!(o.backoff_factor > 0.0 && o.backoff_factor < 1.0)) {
    fail(key("backoff_factor"), "must be in (0, 1), got " + std::to_string(o.backoff_factor));
  }
  if (o.growth_interval < 1) fail(key("growth_interval"), "must be >= 1, got " + std::to_string(o.growth_interval));
}

std::vector<at::Tensor> optimizer_params(torch::optim::Optimizer& optimizer) {
  std::vector<at::Tensor> params;
  for (const auto& group : optimizer.param_groups()) {
    for (const auto& p : group.params()) params.push_back(p);
  }
  return params;
}

// Divides `grads` by the scale in place; true when any unscaled value is inf or NaN. On one CUDA device
// it is LibTorch's fused AMP kernel (one launch, one sync); elsewhere a _foreach_ multiply and a
// finiteness reduction per tensor, read back once.
bool unscale_and_check(const std::vector<at::Tensor>& grads, double inv_scale) {
  const auto device = grads.front().device();
  bool same_cuda_device = device.is_cuda();
  for (const auto& g : grads) same_cuda_device = same_cuda_device && g.device() == device;
  if (same_cuda_device) {
    auto found = at::zeros({1}, grads.front().options().dtype(at::kFloat));
    const auto inv = at::full({1}, inv_scale, found.options());
    at::_amp_foreach_non_finite_check_and_unscale_(grads, found, inv);
    return found.item<float>() != 0.0f;
  }
  at::_foreach_mul_(grads, inv_scale);
  std::vector<at::Tensor> finite;
  finite.reserve(grads.size());
  for (const auto& g : grads) finite.push_back(at::isfinite(g).all().to(at::kCPU));
  return !at::stack(finite).all().item<bool>();
}

}  // namespace

GradScaler::GradScaler(GradScalerOptions options) : options_(options), scale_(options.init_scale) {
  validate(options_, "");
}

at::Tensor GradScaler::scale(const at::Tensor& loss) const {
  if (!options_.enabled) return loss;
  return loss * scale_;
}

void GradScaler::unscale(torch::optim::Optimizer& optimizer) { unscale(optimizer_params(optimizer)); }

void GradScaler::unscale(const std::vector<at::Tensor>& params) {
  if (!options_.enabled) return;
  if (unscaled_) fail("GradScaler", "unscale() was already called this step (call update() after step())");
  unscaled_ = true;
  std::vector<at::Tensor> grads;
  for (const auto& p : params) {
    if (p.grad().defined()) grads.push_back(p.grad());
  }
  found_inf_ = !grads.empty() && unscale_and_check(grads, 1.0 / scale_);
}

bool GradScaler::step(torch::optim::Optimizer& optimizer) {
  if (!options_.enabled) {
    optimizer.step();
    return true;
  }
  if (!unscaled_) unscale(optimizer);
  if (found_inf_) return false;
  optimizer.step();
  return true;
}

void GradScaler::update() {
  if (!options_.enabled) return;
  if (found_inf_) {
    scale_ *= options_.backoff_factor;
    growth_tracker_ = 0;
  } else if (++growth_tracker_ >= options_.growth_interval) {
    const double grown = scale_ * options_.growth_factor;
    if (std::isfinite(grown)) scale_ = grown;
    growth_tracker_ = 0;
  }
  unscaled_ = false;
  found_inf_ = false;
}

std::string GradScaler::to_json() const {
  nlohmann::ordered_json j;
  j["scale"] = scale_;
  j["growth_factor"] = options_.growth_factor;
  j["backoff_factor"] = options_.backoff_factor;
  j["growth_interval"] = options_.growth_interval;
  j["_growth_tracker"] = growth_tracker_;
  return j.dump(2);
}

void GradScaler::load_json(const std::string& text, const std::string& source) {
  const auto doc = json_fields::parse(text, source);
  const json_fields::JsonReader r(doc, source);
  GradScalerOptions o = options_;
  const auto scale = r.require<double>("scale");
  o.growth_factor = r.require<double>("growth_factor");
  o.backoff_factor = r.require<double>("backoff_factor");
  o.growth_interval = r.require<int64_t>("growth_interval");
  const auto tracker = r.require<int64_t>("_growth_tracker");
  validate(o, source);
  if (!(scale > 0.0) || !std::isfinite(scale)) {
    fail(r.where("scale"), "must be a positive finite number, got " + std::to_string(scale));
  }
  if (tracker < 0 || tracker >= o.growth_interval) {
    fail(r.where("_growth_tracker"), "must be in [0, growth_interval), got " + std::to_string(tracker));
  }
  options_ = o;
  scale_ = scale;
  growth_tracker_ = tracker;
  unscaled_ = false;
  found_inf_ = false;
}

}  // namespace earlybert
