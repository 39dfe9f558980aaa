// Private helpers for running a model outside training: eval mode for a scope, the model's device.
#pragma once

#include <torch/torch.h>

#include "earlybert/model/any_bert_model.h"

namespace earlybert {

/// Puts the model in eval mode (no dropout) and restores the previous mode when it goes out of scope.
class EvalModeGuard {
 public:
  explicit EvalModeGuard(AnyBertModel& model) : module_(model.module()), was_training_(module_->is_training()) {
    module_->eval();
  }
  ~EvalModeGuard() { module_->train(was_training_); }
  EvalModeGuard(const EvalModeGuard&) = delete;
  EvalModeGuard& operator=(const EvalModeGuard&) = delete;

 private:
  std::shared_ptr<torch::nn::Module> module_;
  bool was_training_;
};

/// The device of the model's first parameter (CPU for a model without parameters).
inline torch::Device model_device(const AnyBertModel& model) {
  const auto params = model.module()->parameters();
  return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

}  // namespace earlybert
