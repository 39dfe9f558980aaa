// Rewind points kept in step with physical pruning — see include/earlybert/prune/rewind.h.
#include "earlybert/prune/rewind.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include <map>

#include "earlybert/base/error.h"
#include "earlybert/prune/apply_plan.h"

namespace earlybert {

void RewindPoint::keep(const AnyBertModel& model, int64_t step) {
  AnyBertModel copy = model.clone();
  copy.module()->to(torch::kCPU);
  copy_ = std::move(copy);
  step_ = step;
}

void RewindPoint::prune(const PruningPlan& plan) {
  if (!copy_) fail("rewind", "no weights kept to prune");
  apply_plan(*copy_, plan);
}

void RewindPoint::restore_into(AnyBertModel& model) const {
  if (!copy_) fail("rewind", "no weights kept to rewind to");
  torch::NoGradGuard no_grad;
  std::map<std::string, torch::Tensor> saved;
  for (const auto& item : copy_->module()->named_parameters()) saved[item.key()] = item.value();
  for (const auto& item : copy_->module()->named_buffers()) saved[item.key()] = item.value();
  size_t restored = 0;
  auto restore = [&](const std::string& name, torch::Tensor& target) {
    const auto it = saved.find(name);
    if (it == saved.end()) fail("rewind", "the model has '" + name + "', the kept weights do not");
    if (!it->second.sizes().equals(target.sizes()))
      fail("rewind", "'" + name + "' has another shape than the kept weights (pruned differently?)");
    target.copy_(it->second);
    ++restored;
  };
  for (auto& item : model.module()->named_parameters()) restore(item.key(), item.value());
  for (auto& item : model.module()->named_buffers()) restore(item.key(), item.value());
  if (restored != saved.size()) fail("rewind", "the kept weights have tensors the model lacks");
}

}  // namespace earlybert
